package org.vdresize.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ApprovalSteps;

/** Task_RecordApprovalRequest: the resize waits for a person of disk-approvers (WAITING_FOR_APPROVAL). */
@Component
public class RecordApprovalRequestDelegate implements JavaDelegate {

    private final ApprovalSteps steps;

    public RecordApprovalRequestDelegate(ApprovalSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.approvalRequested(Steps.ref(execution));
    }
}
