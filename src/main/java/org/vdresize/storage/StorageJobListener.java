package org.vdresize.storage;

/** Told when a storage job ends, so that a process waiting for it goes on at once instead of at its next poll. */
public interface StorageJobListener {

    /**
     * The resize's storage job ended (DONE or FAILED), and its row says so. A process that does not
     * wait for it (yet) is left alone: its check reads the row anyway.
     */
    void storageJobEnded(String resizeId);
}
