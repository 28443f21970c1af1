package org.vdresize.process;

import org.vdresize.resize.StepName;

/** Ids and variable names of bpmn/virtual-disk-resize.bpmn, in one place. */
public final class ResizeProcess {

    public static final String PROCESS_KEY = "virtual-disk-resize";

    // --- elements (the diagram's ids) ---
    public static final String EVENT_RESIZE_REQUESTED = "Event_ResizeRequested";
    public static final String TASK_VALIDATE_REQUEST = "Task_ValidateRequest";
    public static final String EVENT_REQUEST_REJECTED = "Event_RequestRejected";
    public static final String TASK_RECORD_REJECTION = "Task_RecordRejection";
    public static final String EVENT_RESIZE_REJECTED = "Event_ResizeRejected";
    public static final String GATEWAY_ALREADY_AT_SIZE = "Gateway_AlreadyAtSize";
    public static final String TASK_RECORD_NOOP = "Task_RecordNoop";
    public static final String EVENT_ALREADY_AT_SIZE = "Event_AlreadyAtSize";
    public static final String TASK_LOCK_DISK = "Task_LockDisk";
    public static final String EVENT_DISK_BUSY = "Event_DiskBusy";
    public static final String GATEWAY_APPROVAL_NEEDED = "Gateway_ApprovalNeeded";
    public static final String TASK_RECORD_APPROVAL_REQUEST = "Task_RecordApprovalRequest";
    public static final String USER_TASK_APPROVE_RESIZE = "UserTask_ApproveResize";
    public static final String GATEWAY_APPROVED = "Gateway_Approved";
    public static final String TASK_RECORD_APPROVAL = "Task_RecordApproval";
    public static final String GATEWAY_JOIN_APPROVAL = "Gateway_JoinApproval";
    public static final String TASK_RECORD_REJECTION_BY_APPROVER = "Task_RecordRejectionByApprover";
    public static final String TASK_RELEASE_LOCK_AFTER_REJECTION = "Task_ReleaseLockAfterRejection";
    public static final String EVENT_RESIZE_NOT_APPROVED = "Event_ResizeNotApproved";
    public static final String EVENT_COMPENSATE_STORAGE = "Event_CompensateStorage";
    public static final String GATEWAY_JOIN_REJECTION = "Gateway_JoinRejection";
    public static final String GATEWAY_JOIN_STORAGE_CHECK = "Gateway_JoinStorageCheck";
    public static final String GATEWAY_JOIN_VM_RESIZE = "Gateway_JoinVmResize";
    public static final String GATEWAY_JOIN_RESULT = "Gateway_JoinResult";
    public static final String GATEWAY_JOIN_ROLLBACK = "Gateway_JoinRollback";
    public static final String TASK_EXTEND_STORAGE = "Task_ExtendStorage";
    public static final String TASK_SHRINK_STORAGE_BACK = "Task_ShrinkStorageBack";
    public static final String TASK_CHECK_STORAGE_JOB = "Task_CheckStorageJob";
    public static final String EVENT_STORAGE_JOB_FAILED = "Event_StorageJobFailed";
    public static final String GATEWAY_STORAGE_JOB_DONE = "Gateway_StorageJobDone";
    public static final String EVENT_POLL_INTERVAL = "Event_PollInterval";
    /** after the storage step: is there a storage job to check, or does QEMU grow the image? */
    public static final String GATEWAY_STORAGE_JOB_TO_CHECK = "Gateway_StorageJobToCheck";
    /** the event-based gateway: the storage job's end or the poll interval, whichever comes first */
    public static final String GATEWAY_WAIT_FOR_STORAGE_JOB = "Gateway_WaitForStorageJob";
    public static final String EVENT_STORAGE_JOB_ENDED = "Event_StorageJobEnded";
    public static final String GATEWAY_JOIN_STORAGE_WAIT = "Gateway_JoinStorageWait";
    public static final String GATEWAY_JOIN_STORAGE_DONE = "Gateway_JoinStorageDone";
    public static final String TASK_RESIZE_VM = "Task_ResizeVm";
    public static final String EVENT_VM_RESIZE_FAILED = "Event_VmResizeFailed";
    public static final String GATEWAY_ANY_VM_RESIZED = "Gateway_AnyVmResized";
    public static final String EVENT_UNDO_AFTER_STORAGE_FAILURE = "Event_UndoAfterStorageFailure";
    public static final String EVENT_UNDO_AFTER_VM_FAILURE = "Event_UndoAfterVmFailure";
    public static final String TASK_RECORD_ROLLBACK = "Task_RecordRollback";
    public static final String TASK_RELEASE_LOCK_AFTER_ROLLBACK = "Task_ReleaseLockAfterRollback";
    public static final String EVENT_RESIZE_ROLLED_BACK = "Event_ResizeRolledBack";
    public static final String TASK_RECORD_NEEDS_ATTENTION = "Task_RecordNeedsAttention";
    public static final String USER_TASK_RESOLVE_VM_FAILURE = "UserTask_ResolveVmFailure";
    public static final String GATEWAY_OPERATOR_DECISION = "Gateway_OperatorDecision";
    public static final String TASK_NOTIFY_GUEST = "Task_NotifyGuest";
    public static final String TASK_RECORD_RESULT = "Task_RecordResult";
    public static final String TASK_RELEASE_LOCK = "Task_ReleaseLock";
    public static final String EVENT_RESIZE_COMPLETED = "Event_ResizeCompleted";

    // --- messages (names, as correlated through RuntimeService) ---
    /** Message_StorageJobEnded: the storage job of the process instance has ended (DONE or FAILED) */
    public static final String MESSAGE_STORAGE_JOB_ENDED = "StorageJobEnded";

    // --- BPMN error codes ---
    /** the request breaks a rule (variables errorCode, errorMessage say which) */
    public static final String ERROR_REQUEST_REJECTED = "REQUEST_REJECTED";
    /** the storage job failed or timed out */
    public static final String ERROR_STORAGE_JOB_FAILED = "STORAGE_JOB_FAILED";
    /** a VM refused the block resize for good (not a transient failure) */
    public static final String ERROR_VM_RESIZE_FAILED = "VM_RESIZE_FAILED";

    // --- variables: the request (as REST, engine-rest and the start form give them) ---
    public static final String VAR_VM = "vm";
    public static final String VAR_TARGET = "target";
    public static final String VAR_POOL = "pool";
    public static final String VAR_VOLUME = "volume";
    public static final String VAR_PATH = "path";
    public static final String VAR_SIZE = "size";
    public static final String VAR_NOTIFY_GUEST = "notifyGuest";
    public static final String VAR_GROW_FILESYSTEM = "growFilesystem";
    public static final String VAR_REASON = "reason";
    /** set by the start event (camunda:initiator) from the authenticated user */
    public static final String VAR_INITIATOR = "initiator";
    /**
     * Transient (never stored, gone at the first wait state): names the REST layer's validation of
     * this very request, which Task_ValidateRequest takes instead of asking libvirt a second time
     */
    public static final String VAR_VALIDATION_TOKEN = "validationToken";

    // --- variables: derived by the steps ---
    public static final String VAR_DISK_PATH = "diskPath";
    public static final String VAR_OLD_SIZE = "oldSize";
    public static final String VAR_NEW_SIZE = "newSize";
    /** Boolean: the disk already has the requested size */
    public static final String VAR_NOOP = "noop";
    /** Boolean, always set by the validate delegate: the growth is above the approval threshold */
    public static final String VAR_APPROVAL_NEEDED = "approvalNeeded";
    /** Boolean, set by the approve-resize form: the approver's decision */
    public static final String VAR_APPROVED = "approved";
    /** String, from the approve-resize form (may be empty) */
    public static final String VAR_APPROVAL_COMMENT = "approvalComment";
    /** ISO-8601 duration of the poll timer */
    public static final String VAR_POLL_INTERVAL = "pollInterval";
    public static final String VAR_STORAGE_JOB_ID = "storageJobId";
    /** Boolean, set by Task_ExtendStorage: false when a running QEMU grows the image (no storage job to check) */
    public static final String VAR_STORAGE_JOB_TO_CHECK = "storageJobToCheck";
    /** RUNNING or DONE after Task_CheckStorageJob (FAILED and TIMED_OUT raise Error_StorageJobFailed) */
    public static final String VAR_STORAGE_JOB_STATE = "storageJobState";
    /** List of UUIDs of the VMs the VM step visits */
    public static final String VAR_VMS_TO_RESIZE = "vmsToResize";
    /**
     * List of UUIDs of the VMs whose guest the guest step visits: the VMs whose domain has a guest agent
     * channel, or none when notifyGuest is false
     */
    public static final String VAR_GUESTS_TO_NOTIFY = "guestsToNotify";
    /**
     * List of UUIDs of the VMs whose guest is to be told but whose domain has no guest agent channel:
     * known at validation, so no guest job; the VM step records NO_AGENT once the VM took the new size
     */
    public static final String VAR_GUESTS_WITHOUT_AGENT = "guestsWithoutAgent";
    /** the multi-instance element variable */
    public static final String VAR_VM_UUID = "vmUuid";
    /** Integer: how many VMs have seen the new size (decides roll back versus roll forward) */
    public static final String VAR_VMS_RESIZED = "vmsResized";
    /** RETRY or FINISH, set by the needs-attention form */
    public static final String VAR_OPERATOR_DECISION = "operatorDecision";
    /** String, from the needs-attention form (may be empty) */
    public static final String VAR_RESOLUTION_COMMENT = "resolutionComment";
    public static final String VAR_ERROR_CODE = "errorCode";
    public static final String VAR_ERROR_MESSAGE = "errorMessage";

    public static final String STORAGE_JOB_RUNNING = "RUNNING";
    public static final String STORAGE_JOB_DONE = "DONE";
    public static final String DECISION_RETRY = "RETRY";
    public static final String DECISION_FINISH = "FINISH";

    /** The step names a person reads in GET /api/resizes/{id}, by element id. */
    public static final java.util.Map<String, StepName> STEP_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry(TASK_VALIDATE_REQUEST, StepName.VALIDATE),
            java.util.Map.entry(TASK_RECORD_REJECTION, StepName.RECORD_REJECTION),
            java.util.Map.entry(TASK_RECORD_NOOP, StepName.RECORD_NOOP),
            java.util.Map.entry(TASK_LOCK_DISK, StepName.LOCK_DISK),
            java.util.Map.entry(TASK_RECORD_APPROVAL_REQUEST, StepName.APPROVAL_REQUEST),
            java.util.Map.entry(USER_TASK_APPROVE_RESIZE, StepName.APPROVER_DECISION),
            java.util.Map.entry(TASK_RECORD_APPROVAL, StepName.APPROVAL),
            java.util.Map.entry(TASK_RECORD_REJECTION_BY_APPROVER, StepName.RECORD_REJECTION),
            java.util.Map.entry(TASK_RELEASE_LOCK_AFTER_REJECTION, StepName.RELEASE_LOCK),
            java.util.Map.entry(TASK_EXTEND_STORAGE, StepName.STORAGE_EXTEND),
            java.util.Map.entry(TASK_CHECK_STORAGE_JOB, StepName.STORAGE_CHECK),
            // the wait for the storage job's end or the poll interval, whichever came first
            java.util.Map.entry(GATEWAY_WAIT_FOR_STORAGE_JOB, StepName.STORAGE_POLL_WAIT),
            java.util.Map.entry(TASK_SHRINK_STORAGE_BACK, StepName.STORAGE_ROLLBACK),
            java.util.Map.entry(TASK_RESIZE_VM, StepName.VM_RESIZE),
            java.util.Map.entry(TASK_RECORD_ROLLBACK, StepName.RECORD_ROLLBACK),
            java.util.Map.entry(TASK_RECORD_NEEDS_ATTENTION, StepName.NEEDS_ATTENTION),
            java.util.Map.entry(USER_TASK_RESOLVE_VM_FAILURE, StepName.OPERATOR_DECISION),
            java.util.Map.entry(TASK_NOTIFY_GUEST, StepName.GUEST_NOTIFY),
            java.util.Map.entry(TASK_RECORD_RESULT, StepName.RECORD_RESULT),
            java.util.Map.entry(TASK_RELEASE_LOCK, StepName.RELEASE_LOCK),
            java.util.Map.entry(TASK_RELEASE_LOCK_AFTER_ROLLBACK, StepName.RELEASE_LOCK));

    private ResizeProcess() {
    }
}
