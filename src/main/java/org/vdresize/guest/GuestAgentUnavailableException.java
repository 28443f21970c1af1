package org.vdresize.guest;

/** The guest has no agent, or it does not answer: a recorded outcome, never a failed resize. */
public class GuestAgentUnavailableException extends RuntimeException {
    public GuestAgentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
