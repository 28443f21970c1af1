package org.vdresize.process;


import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResultSteps;

/** Task_RecordResult: the resize is COMPLETED (with a warning when a VM did not take the new size). */
@Component
public class RecordResultDelegate implements JavaDelegate {

    private final ResultSteps steps;

    public RecordResultDelegate(ResultSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.complete(Steps.ref(execution));
    }
}
