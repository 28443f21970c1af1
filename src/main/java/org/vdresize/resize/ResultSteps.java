package org.vdresize.resize;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditType;
import org.vdresize.lock.DiskLockService;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.vm.VmDiskStatus;

/**
 * How the diagram ends: the result (Task_RecordNoop, Task_RecordResult), the roll back
 * (Task_RecordRollback), the needs-attention path (Task_RecordNeedsAttention and the operator's
 * decision) and the lock's release on every path.
 */
@Service
public class ResultSteps {

    private static final Logger log = LoggerFactory.getLogger(ResultSteps.class);

    private final ResizeRepository resizes;
    private final DiskLockService locks;
    private final StepRecorder recorder;

    public ResultSteps(ResizeRepository resizes, DiskLockService locks, StepRecorder recorder) {
        this.resizes = resizes;
        this.locks = locks;
        this.recorder = recorder;
    }

    public void completeNoop(StepRef step) {
        ResizeRow r = resizes.of(step);
        recorder.record(Happened.of(step, r).status(ResizeStatus.COMPLETED)
                .audited(AuditType.RESIZE_COMPLETED, "nothing to do: the disk already has the requested size"));
    }

    public void complete(StepRef step) {
        ResizeRow r = resizes.of(step);
        long notResized = resizes.vms(r.id()).stream().filter(vm -> vm.status().missedNewSize()).count();
        String detail = notResized == 0
                ? "grew " + r.diskPath() + " from " + r.oldSize() + " B to " + r.newSize() + " B"
                : "finished with a warning: " + notResized + " VM(s) did not take the new size; restart them to see it";
        recorder.record(Happened.of(step, r).status(ResizeStatus.COMPLETED).detail(detail)
                .audited(AuditType.RESIZE_COMPLETED, detail));
        log.info("[{}] resize {} completed: {}", r.diskPath(), r.id(), detail);
    }

    public void needsAttention(StepRef step, ErrorCode code, String message) {
        ResizeRow r = resizes.of(step);
        recorder.record(Happened.of(step, r).status(ResizeStatus.NEEDS_ATTENTION, code, message)
                .audited(AuditType.RESIZE_NEEDS_ATTENTION, code + ": " + message));
        log.warn("[{}] resize {} needs attention: {} {}", r.diskPath(), r.id(), code, message);
    }

    /** The operator's choice at the needs-attention task, for the audit trail. */
    public void operatorDecided(StepRef step, String operator, String decision, String comment) {
        ResizeRow r = resizes.of(step);
        recorder.record(Happened.of(step, r).status(ResizeStatus.RUNNING)
                .audited(AuditType.OPERATOR_DECISION, decision + (comment == null || comment.isBlank() ? "" : ": " + comment))
                .by(operator));
    }

    public void rollBack(StepRef step, ErrorCode code, String message) {
        ResizeRow r = resizes.of(step);
        resizes.vms(r.id()).stream().filter(vm -> vm.status() == VmDiskStatus.PENDING)
                .forEach(vm -> resizes.updateVm(r.id(), vm.vmUuid(), null, VmDiskStatus.UNCHANGED, null,
                        "the resize was rolled back before this VM's step"));
        recorder.record(Happened.of(step, r).status(ResizeStatus.ROLLED_BACK, code, message).detail(code + ": " + message)
                .audited(AuditType.RESIZE_ROLLED_BACK, code + ": " + message).sizes(r.newSize(), r.oldSize()));
        log.warn("[{}] resize {} rolled back: {} {}", r.diskPath(), r.id(), code, message);
    }

    public void releaseLock(StepRef step) {
        ResizeRow r = resizes.of(step);
        locks.release(r.diskPath(), r.id());
        recorder.record(Happened.of(step, r).detail("unlocked " + r.diskPath()));
    }
}
