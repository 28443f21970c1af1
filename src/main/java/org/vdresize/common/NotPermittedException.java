package org.vdresize.common;

/** The caller may not do this: the engine's own authorization check refused it (a port says so, not the engine's type). */
public class NotPermittedException extends RuntimeException {
    public NotPermittedException(String message, Throwable cause) {
        super(message, cause);
    }
}
