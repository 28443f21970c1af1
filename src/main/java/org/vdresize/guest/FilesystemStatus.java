package org.vdresize.guest;

/** What became of the filesystem on the disk (vdr_resize_guest.fs_status and the API's {@code filesystem.status}). */
public enum FilesystemStatus {
    GROWN,
    /** grown, and its size did not change */
    UNCHANGED,
    /** nothing is mounted on the disk */
    NOT_MOUNTED,
    /** a filesystem type or layout that is not grown online */
    UNSUPPORTED,
    FAILED
}
