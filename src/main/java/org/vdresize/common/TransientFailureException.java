package org.vdresize.common;

/**
 * A failure that may go away by itself (connection lost, daemon restarting, domain job busy).
 * Process steps let it fail the job so that the engine retries it.
 */
public class TransientFailureException extends RuntimeException {
    public TransientFailureException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransientFailureException(String message) {
        super(message);
    }
}
