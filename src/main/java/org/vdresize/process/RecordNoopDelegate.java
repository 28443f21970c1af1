package org.vdresize.process;


import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResultSteps;

/** Task_RecordNoop: the disk already had the requested size; the resize completes without change. */
@Component
public class RecordNoopDelegate implements JavaDelegate {

    private final ResultSteps steps;

    public RecordNoopDelegate(ResultSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.completeNoop(Steps.ref(execution));
    }
}
