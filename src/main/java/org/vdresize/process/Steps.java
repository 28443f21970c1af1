package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_ERROR_CODE;
import static org.vdresize.process.ResizeProcess.VAR_ERROR_MESSAGE;

import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.vdresize.resize.ErrorCode;
import org.vdresize.resize.StepRef;

/** Small helpers the delegates share. */
final class Steps {

    private Steps() {
    }

    static StepRef ref(DelegateExecution execution) {
        return new StepRef(execution.getProcessInstanceId(), execution.getActivityInstanceId());
    }

    /** the vdr_resize.error_message column; a message naming a long path would not fit */
    static final int MAX_MESSAGE = 2000;

    /** Records why, for the paths after the error, and raises the modelled error. */
    static BpmnError error(DelegateExecution execution, String bpmnErrorCode, ErrorCode code, String message) {
        String fitting = message != null && message.length() > MAX_MESSAGE
                ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        execution.setVariable(VAR_ERROR_CODE, code.name());
        execution.setVariable(VAR_ERROR_MESSAGE, fitting);
        return new BpmnError(bpmnErrorCode, fitting);
    }

    /** The user who completed the user task that led here (the engine's authenticated user), or "unknown". */
    static String currentUser(DelegateExecution execution) {
        var authentication = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
        return authentication == null || authentication.getUserId() == null ? "unknown" : authentication.getUserId();
    }

    /**
     * Who requests the resize (the requester the four-eyes rule compares approvers with): the
     * engine's authenticated user at the start. Not the initiator variable, which the start's own
     * variables may overwrite; that only for a start by Java code without an authenticated user.
     */
    static String requester(DelegateExecution execution) {
        var authentication = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
        return authentication != null && authentication.getUserId() != null ? authentication.getUserId()
                : string(execution, ResizeProcess.VAR_INITIATOR);
    }

    /** The code {@link #error} recorded for the paths after the error. */
    static ErrorCode errorCode(DelegateExecution execution) {
        String name = string(execution, VAR_ERROR_CODE);
        return ErrorCode.of(name).orElseThrow(() -> new IllegalStateException("no known error code: " + name));
    }

    static String string(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        return value == null ? null : value.toString();
    }
}
