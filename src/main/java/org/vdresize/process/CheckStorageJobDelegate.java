package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;

import org.vdresize.storage.StorageJobStatus;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.FailureCode;
import org.vdresize.resize.StorageSteps;

/** Task_CheckStorageJob: DONE or RUNNING for the gateway; failed or timed out raises Error_StorageJobFailed. */
@Component
public class CheckStorageJobDelegate implements JavaDelegate {

    private final StorageSteps steps;

    public CheckStorageJobDelegate(StorageSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        StorageJobStatus status = steps.checkStorage(Steps.ref(execution), Steps.string(execution, VAR_STORAGE_JOB_ID));
        switch (status.outcome()) {
            case DONE -> execution.setVariable(VAR_STORAGE_JOB_STATE, STORAGE_JOB_DONE);
            case RUNNING -> execution.setVariable(VAR_STORAGE_JOB_STATE, STORAGE_JOB_RUNNING);
            case FAILED -> throw Steps.error(execution, ERROR_STORAGE_JOB_FAILED, FailureCode.STORAGE_JOB_FAILED, status.detail());
            case TIMED_OUT -> throw Steps.error(execution, ERROR_STORAGE_JOB_FAILED, FailureCode.STORAGE_JOB_TIMED_OUT, status.detail());
        }
    }
}
