package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResultSteps;

/** Task_RecordNeedsAttention: a VM failed after another saw the new size; a person decides. */
@Component
public class RecordNeedsAttentionDelegate implements JavaDelegate {

    private final ResultSteps steps;

    public RecordNeedsAttentionDelegate(ResultSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.needsAttention(Steps.ref(execution), Steps.errorCode(execution), Steps.string(execution, VAR_ERROR_MESSAGE));
    }
}
