package org.vdresize.process;


import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResultSteps;

/** Task_ReleaseLock and Task_ReleaseLockAfterRollback: the disk is free for the next resize. */
@Component
public class ReleaseLockDelegate implements JavaDelegate {

    private final ResultSteps steps;

    public ReleaseLockDelegate(ResultSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.releaseLock(Steps.ref(execution));
    }
}
