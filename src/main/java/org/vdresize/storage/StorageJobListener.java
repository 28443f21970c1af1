package org.vdresize.storage;

/** Told when a storage job ends, so that a process waiting in its poll timer can check at once. */
public interface StorageJobListener {

    void storageJobEnded(String resizeId);
}
