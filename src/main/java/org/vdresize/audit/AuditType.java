package org.vdresize.audit;

/** The business facts an auditor asks about. */
public enum AuditType {
    RESIZE_REQUESTED,
    RESIZE_REJECTED,
    RESIZE_APPROVED,
    DISK_LOCKED,
    STORAGE_EXTENDED,
    STORAGE_ROLLED_BACK,
    VM_DISK_RESIZED,
    VM_SKIPPED,
    GUEST_NOTIFIED,
    GUEST_NOTIFY_FAILED,
    FILESYSTEM_GROWN,
    RESIZE_NEEDS_ATTENTION,
    OPERATOR_DECISION,
    RESIZE_COMPLETED,
    RESIZE_FAILED,
    RESIZE_ROLLED_BACK,
    DISK_UNLOCKED,
    /** a node started with vdresize.approval.four-eyes=false: requesters may approve their own resizes */
    FOUR_EYES_DISABLED,
    /** the audit retention moved the oldest events to an archive file and removed them from the database */
    AUDIT_ARCHIVED,
    /** a watch (auto-grow) was created */
    WATCH_CREATED,
    /** a watch's policy decided something other than WAIT; the detail names the inputs */
    WATCH_DECISION,
    /** a watch was deleted and its process ended */
    WATCH_STOPPED
}
