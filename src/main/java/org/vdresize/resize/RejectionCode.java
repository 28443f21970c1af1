package org.vdresize.resize;

import org.vdresize.inventory.DiskChecks;

/** The contract's error codes, each with the HTTP status the REST API answers with. */
public enum RejectionCode implements ErrorCode {
    INVALID_REQUEST(400),
    INVALID_SIZE(400),
    UNKNOWN_VM(404),
    UNKNOWN_DISK(404),
    UNKNOWN_POOL(404),
    UNKNOWN_RESIZE(404),
    UNKNOWN_WATCH(404),
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

    /** The code of a rule of {@link DiskChecks}. */
    public static RejectionCode of(DiskChecks.Code code) {
        return switch (code) {
            case VM_STATE -> VM_STATE;
            case READ_ONLY_DISK -> READ_ONLY_DISK;
            case UNSUPPORTED_DISK -> UNSUPPORTED_DISK;
        };
    }
}
