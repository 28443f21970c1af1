package org.vdresize.watch;

/** What a watch does with a GROW decision. */
public enum WatchMode {
    /** grows the disk through the resize process */
    AUTO,
    /** decides and records, never resizes */
    OBSERVE
}
