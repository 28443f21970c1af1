package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResultSteps;

/** Task_RecordRollback: the resize ends ROLLED_BACK with the error that caused it. */
@Component
public class RecordRollbackDelegate implements JavaDelegate {

    private final ResultSteps steps;

    public RecordRollbackDelegate(ResultSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.rollBack(Steps.ref(execution), Steps.errorCode(execution), Steps.string(execution, VAR_ERROR_MESSAGE));
    }
}
