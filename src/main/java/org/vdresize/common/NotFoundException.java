package org.vdresize.common;

/** The named VM, pool, volume or disk does not exist (any more). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
