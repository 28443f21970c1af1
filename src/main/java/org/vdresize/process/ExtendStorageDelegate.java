package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_STORAGE_JOB_ID;
import static org.vdresize.process.ResizeProcess.VAR_STORAGE_JOB_TO_CHECK;

import org.vdresize.storage.StorageJob;
import org.vdresize.storage.StorageResizeMode;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.StorageSteps;

/**
 * Task_ExtendStorage: starts the storage job (or finds the one a retried step already started).
 * When a running QEMU grows the image there is no job to wait for, and the process goes straight
 * to the VM step (no check job).
 */
@Component
public class ExtendStorageDelegate implements JavaDelegate {

    private final StorageSteps steps;

    public ExtendStorageDelegate(StorageSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        StorageJob job = steps.extendStorage(Steps.ref(execution));
        execution.setVariable(VAR_STORAGE_JOB_ID, job.id());
        execution.setVariable(VAR_STORAGE_JOB_TO_CHECK, job.mode() != StorageResizeMode.QEMU_GROWS);
    }
}
