package org.vdresize.resize;

/** The codes of a resize that failed, rolled back or was refused after it was accepted; see {@link ErrorCode}. */
public enum FailureCode implements ErrorCode {
    /** an approver rejected it */
    NOT_APPROVED,
    /** the storage job failed */
    STORAGE_JOB_FAILED,
    /** the storage job did not end in time */
    STORAGE_JOB_TIMED_OUT,
    /** a VM's QEMU refused the block resize for good */
    VM_RESIZE_FAILED,
    /** a VM's host did not answer by the last retry */
    VM_UNREACHABLE,
    /** its process instance was cancelled (Cockpit, engine-rest) */
    CANCELLED
}
