package org.vdresize.resize;

import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditType;
import org.vdresize.resize.ResizeRepository.ResizeRow;

/**
 * The approval part of the diagram: Task_RecordApprovalRequest, then after UserTask_ApproveResize
 * Task_RecordApproval or Task_RecordRejectionByApprover.
 */
@Service
public class ApprovalSteps {

    private final ResizeRepository resizes;
    private final StepRecorder recorder;

    public ApprovalSteps(ResizeRepository resizes, StepRecorder recorder) {
        this.resizes = resizes;
        this.recorder = recorder;
    }

    public void approvalRequested(StepRef step) {
        ResizeRow r = resizes.of(step);
        recorder.record(Happened.of(step, r).status(ResizeStatus.WAITING_FOR_APPROVAL)
                .detail("growth of " + (r.newSize() - r.oldSize()) + " B is above the approval threshold: waiting for disk-approvers"));
    }

    public void approved(StepRef step, String approver, String comment) {
        ResizeRow r = resizes.of(step);
        String detail = "approved by " + approver + (comment == null || comment.isBlank() ? "" : ": " + comment);
        recorder.record(Happened.of(step, r).status(ResizeStatus.RUNNING).detail(detail)
                .audited(AuditType.RESIZE_APPROVED, detail).by(approver));
    }

    public void rejectedByApprover(StepRef step, String approver, String comment) {
        ResizeRow r = resizes.of(step);
        String message = "rejected by " + approver + (comment == null || comment.isBlank() ? "" : ": " + comment);
        recorder.record(Happened.of(step, r).status(ResizeStatus.REJECTED, FailureCode.NOT_APPROVED, message).detail(message)
                .audited(AuditType.RESIZE_REJECTED, FailureCode.NOT_APPROVED + ": " + message).by(approver));
    }
}
