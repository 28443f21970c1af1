package org.vdresize.storage;

/** Told when a storage job ends, so that a process waiting in its poll timer can check at once. */
public interface StorageJobListener {

    /** The resize's storage job ended (DONE or FAILED): its poll timer, if committed, may fire now. */
    void storageJobEnded(String resizeId);

    /**
     * A check of the resize found its job still running, and the transaction that leaves the process
     * waiting in its poll timer has committed: the timer now exists and should fire on its due date.
     * Called after that commit, on the thread that committed. (When this node's job ended before that
     * commit, {@link #storageJobEnded} is called there instead.)
     */
    default void waitingForPoll(String resizeId) {
    }
}
