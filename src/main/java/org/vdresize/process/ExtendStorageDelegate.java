package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_STORAGE_JOB_ID;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResizeSteps;

/** Task_ExtendStorage: starts the storage job (or finds the one a retried step already started). */
@Component
public class ExtendStorageDelegate implements JavaDelegate {

    private final ResizeSteps steps;

    public ExtendStorageDelegate(ResizeSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable(VAR_STORAGE_JOB_ID, steps.extendStorage(Steps.ref(execution)).id());
    }
}
