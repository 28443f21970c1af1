package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_ERROR_CODE;
import static org.vdresize.process.ResizeProcess.VAR_ERROR_MESSAGE;

import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.vdresize.resize.StepRef;

/** Small helpers the delegates share. */
final class Steps {

    private Steps() {
    }

    static StepRef ref(DelegateExecution execution) {
        return new StepRef(execution.getProcessInstanceId(), execution.getActivityInstanceId());
    }

    /** Records why, for the paths after the error, and raises the modelled error. */
    static BpmnError error(DelegateExecution execution, String bpmnErrorCode, String code, String message) {
        execution.setVariable(VAR_ERROR_CODE, code);
        execution.setVariable(VAR_ERROR_MESSAGE, message);
        return new BpmnError(bpmnErrorCode, message);
    }

    static String string(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        return value == null ? null : value.toString();
    }
}
