package org.vdresize.process;

import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ApprovalNotAllowedException;
import org.vdresize.resize.FourEyes;

/**
 * On UserTask_ApproveResize, for every way of claiming or completing it (Tasklist, engine-rest,
 * TaskService): the four-eyes rule. A refusal rolls the command back, so the task stays open.
 */
@Component
public class FourEyesListener implements TaskListener {

    private final FourEyes fourEyes;

    public FourEyesListener(FourEyes fourEyes) {
        this.fourEyes = fourEyes;
    }

    @Override
    public void notify(DelegateTask task) {
        try {
            if (EVENTNAME_ASSIGNMENT.equals(task.getEventName())) {
                fourEyes.checkAssignee(task.getProcessInstanceId(), task.getAssignee());
            } else {
                // the engine's authenticated user, not the assignee: whoever completes is the approver
                var authentication = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
                fourEyes.checkApprover(task.getProcessInstanceId(), authentication == null ? null : authentication.getUserId());
            }
        } catch (ApprovalNotAllowedException e) {
            throw new ApprovalRefusedException(e.getMessage());
        }
    }
}
