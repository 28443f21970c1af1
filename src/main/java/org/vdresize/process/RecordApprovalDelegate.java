package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_APPROVAL_COMMENT;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ApprovalSteps;

/** Task_RecordApproval: who approved, and why, before the storage is touched. */
@Component
public class RecordApprovalDelegate implements JavaDelegate {

    private final ApprovalSteps steps;

    public RecordApprovalDelegate(ApprovalSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.approved(Steps.ref(execution), Steps.currentUser(execution), Steps.string(execution, VAR_APPROVAL_COMMENT));
    }
}
