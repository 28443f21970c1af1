package org.vdresize.resize;

/** A request that breaks a rule. Thrown before anything is changed. */
public class ResizeRejectedException extends RuntimeException {
    private final RejectionCode code;

    public ResizeRejectedException(RejectionCode code, String message) {
        super(message);
        this.code = code;
    }

    public RejectionCode code() {
        return code;
    }
}
