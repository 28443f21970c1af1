package org.vdresize.watch;

/** Where a watch stands, after its last sample and decision. */
public enum WatchStatus {
    WATCHING,
    /** the disk has reached the watch's maxSize: it will not be grown further */
    AT_LIMIT,
    /** no guest agent answered at the last sample (or the VM does not run) */
    NO_AGENT,
    /** deleted: its process has ended */
    STOPPED
}
