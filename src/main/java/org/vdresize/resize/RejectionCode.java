package org.vdresize.resize;

/** The contract's error codes, each with the HTTP status the REST API answers with. */
public enum RejectionCode {
    INVALID_REQUEST(400),
    INVALID_SIZE(400),
    UNKNOWN_VM(404),
    UNKNOWN_DISK(404),
    UNKNOWN_POOL(404),
    UNKNOWN_RESIZE(404),
    SHRINK_NOT_SUPPORTED(409),
    DISK_BUSY(409),
    VM_STATE(409),
    READ_ONLY_DISK(409),
    UNSUPPORTED_DISK(409),
    INSUFFICIENT_SPACE(409),
    SIZE_LIMIT(409);

    private final int httpStatus;

    RejectionCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
