package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_OPERATOR_DECISION;
import static org.vdresize.process.ResizeProcess.VAR_RESOLUTION_COMMENT;

import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResultSteps;
import org.vdresize.resize.StepRef;

/** On completion of UserTask_ResolveVmFailure: who chose retry or finish, and why, into the audit trail. */
@Component
public class OperatorDecisionListener implements TaskListener {

    private final ResultSteps steps;

    public OperatorDecisionListener(ResultSteps steps) {
        this.steps = steps;
    }

    @Override
    public void notify(DelegateTask task) {
        var authentication = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
        String operator = authentication != null && authentication.getUserId() != null ? authentication.getUserId()
                : task.getAssignee() != null ? task.getAssignee() : "unknown";
        Object comment = task.getVariable(VAR_RESOLUTION_COMMENT);
        steps.operatorDecided(new StepRef(task.getProcessInstanceId(), task.getExecution().getActivityInstanceId()), operator,
                String.valueOf(task.getVariable(VAR_OPERATOR_DECISION)), comment == null ? null : comment.toString());
    }
}
