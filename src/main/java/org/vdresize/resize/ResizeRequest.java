package org.vdresize.resize;

/**
 * A resize as asked for: the disk named in exactly one of three ways (vm+target, pool+volume,
 * path), a size (Number of bytes or a String such as "20G" or "+512M"), and the options.
 * Null options take their defaults (notifyGuest true, growFilesystem false).
 */
public record ResizeRequest(String vm, String target, String pool, String volume, String path,
                            Object size, Boolean notifyGuest, Boolean growFilesystem, String reason) {

    /**
     * The longest reason, in UTF-16 units as Java and the vdr_resize.reason VARCHAR(500) column count
     * them. The API documentation, the start form (forms/resize-start.form) and the column follow it;
     * tests hold the form and the column to it.
     */
    public static final int MAX_REASON_LENGTH = 500;
}
