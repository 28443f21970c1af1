package org.vdresize.storage;

/**
 * What a check of a storage job found.
 *
 * @param progress bytes allocated so far (preallocation), null when not measurable
 */
public record StorageJobStatus(Outcome outcome, Long progress, String detail) {

    public enum Outcome { RUNNING, DONE, FAILED, TIMED_OUT }
}
