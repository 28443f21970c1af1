package org.vdresize.process;


import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.StorageSteps;

/** Task_ShrinkStorageBack (compensation): the volume goes back to its exact old capacity. */
@Component
public class ShrinkStorageBackDelegate implements JavaDelegate {

    private final StorageSteps steps;

    public ShrinkStorageBackDelegate(StorageSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.undoStorage(Steps.ref(execution));
    }
}
