package org.vdresize.common;

/** A failure that retrying will not fix: the hypervisor or the storage refused the operation. */
public class OperationFailedException extends RuntimeException {
    public OperationFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public OperationFailedException(String message) {
        super(message);
    }
}
