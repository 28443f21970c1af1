package org.vdresize.resize;

/**
 * The names of the steps a person reads in GET /api/resizes/{id} ({@code steps[].name}, stored in
 * vdr_resize_step.name). The process maps the diagram's elements to them; a step read back keeps
 * the stored string, and a failed job of an element without a name shows the element's id.
 */
public enum StepName {
    VALIDATE,
    RECORD_REJECTION,
    RECORD_NOOP,
    LOCK_DISK,
    APPROVAL_REQUEST,
    APPROVER_DECISION,
    APPROVAL,
    RELEASE_LOCK,
    STORAGE_EXTEND,
    STORAGE_CHECK,
    STORAGE_POLL_WAIT,
    STORAGE_ROLLBACK,
    VM_RESIZE,
    RECORD_ROLLBACK,
    NEEDS_ATTENTION,
    OPERATOR_DECISION,
    GUEST_NOTIFY,
    RECORD_RESULT
}
