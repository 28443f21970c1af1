package org.vdresize.resize;

/** A request that breaks a rule. Thrown before anything is changed. */
public class ResizeRejectedException extends RuntimeException {
    private final RejectionCode code;
    private final String diskPath;

    public ResizeRejectedException(RejectionCode code, String message) {
        this(code, message, null);
    }

    private ResizeRejectedException(RejectionCode code, String message, String diskPath) {
        super(message);
        this.code = code;
        this.diskPath = diskPath;
    }

    public RejectionCode code() {
        return code;
    }

    /** The path of the disk the request named, when it was found before the rule broke; else null. */
    public String diskPath() {
        return diskPath;
    }

    /** The same rejection, saying which disk it is about (so the audit trail files it under that disk). */
    ResizeRejectedException about(String path) {
        if (diskPath != null || path == null) {
            return this;
        }
        ResizeRejectedException about = new ResizeRejectedException(code, getMessage(), path);
        about.setStackTrace(getStackTrace());
        return about;
    }
}
