package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_APPROVAL_COMMENT;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ApprovalSteps;

/** Task_RecordRejectionByApprover: the resize ends REJECTED (NOT_APPROVED) with who and why. */
@Component
public class RecordApproverRejectionDelegate implements JavaDelegate {

    private final ApprovalSteps steps;

    public RecordApproverRejectionDelegate(ApprovalSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.rejectedByApprover(Steps.ref(execution), Steps.currentUser(execution), Steps.string(execution, VAR_APPROVAL_COMMENT));
    }
}
