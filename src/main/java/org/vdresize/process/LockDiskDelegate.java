package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.ERROR_REQUEST_REJECTED;

import org.vdresize.resize.ResizeRejectedException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ValidationSteps;

/** Task_LockDisk: the exclusive disk lock, taken in the starting transaction; busy ends REJECTED. */
@Component
public class LockDiskDelegate implements JavaDelegate {

    private final ValidationSteps steps;

    public LockDiskDelegate(ValidationSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        try {
            steps.lock(Steps.ref(execution));
        } catch (ResizeRejectedException e) {
            throw Steps.error(execution, ERROR_REQUEST_REJECTED, e.code(), e.getMessage());
        }
    }
}
