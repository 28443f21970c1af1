package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;

import java.util.List;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ValidatedResize;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ValidationSteps;
import org.vdresize.storage.StorageSettings;

/** Task_ValidateRequest: every rule checked before anything changes; a broken rule ends REJECTED. */
@Component
public class ValidateRequestDelegate implements JavaDelegate {

    private final ValidationSteps steps;
    private final String pollInterval;

    public ValidateRequestDelegate(ValidationSteps steps, StorageSettings storage) {
        this.steps = steps;
        this.pollInterval = storage.pollInterval().toString();
    }

    @Override
    public void execute(DelegateExecution execution) {
        ResizeRequest request;
        ValidatedResize resize;
        try {
            checkRequester(execution);
            request = RequestVariables.read(execution);
            resize = steps.accept(Steps.ref(execution), request, Steps.requester(execution),
                    validationToken(execution));
        } catch (ResizeRejectedException e) {
            throw Steps.error(execution, ERROR_REQUEST_REJECTED, e.code(), e.getMessage());
        }
        // the business key is the disk path, so Cockpit finds every resize of a disk (engine-rest starts have none yet)
        if (!resize.diskPath().equals(execution.getProcessBusinessKey())) {
            execution.setProcessBusinessKey(resize.diskPath());
        }
        execution.setVariable(VAR_DISK_PATH, resize.diskPath());
        execution.setVariable(VAR_OLD_SIZE, resize.oldSize());
        execution.setVariable(VAR_NEW_SIZE, resize.newSize());
        execution.setVariable(VAR_NOOP, resize.noop());
        execution.setVariable(VAR_APPROVAL_NEEDED, resize.approvalNeeded());
        execution.setVariable(VAR_POLL_INTERVAL, pollInterval);
        List<String> vms = resize.vms().stream().map(ValidatedResize.VmUse::uuid).toList();
        execution.setVariable(VAR_VMS_TO_RESIZE, new java.util.ArrayList<>(vms));
        // no guest to tell, or no agent that could answer: no job per VM for a step that would only note so
        boolean tell = request.notifyGuest() == null || request.notifyGuest();
        execution.setVariable(VAR_GUESTS_TO_NOTIFY, new java.util.ArrayList<>(!tell ? List.of()
                : resize.vms().stream().filter(ValidatedResize.VmUse::guestAgentChannel).map(ValidatedResize.VmUse::uuid).toList()));
        execution.setVariable(VAR_GUESTS_WITHOUT_AGENT, new java.util.ArrayList<>(!tell ? List.of()
                : resize.vms().stream().filter(vm -> !vm.guestAgentChannel()).map(ValidatedResize.VmUse::uuid).toList()));
        execution.setVariable(VAR_VMS_RESIZED, 0);
    }

    /**
     * The engine sets the initiator from the authenticated user, but a caller's start variables are
     * set after it and may replace it: an engine-rest start with {@code "initiator": "someone else"}
     * would show the approver another requester (the approval form shows the initiator). Refused,
     * like any variable that is no request field, and the initiator put back.
     */
    private static void checkRequester(DelegateExecution execution) {
        var authentication = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
        String user = authentication == null ? null : authentication.getUserId();
        if (user != null && !user.equals(execution.getVariable(VAR_INITIATOR))) {
            execution.setVariable(VAR_INITIATOR, user);
            throw new ResizeRejectedException(RejectionCode.INVALID_REQUEST,
                    VAR_INITIATOR + " is not a request field: the engine records who starts a resize");
        }
    }

    /** Only a transient token counts: a stored variable of that name (e.g. from an engine-rest start) is ignored. */
    private static String validationToken(DelegateExecution execution) {
        TypedValue value = execution.getVariableTyped(VAR_VALIDATION_TOKEN, true);
        return value != null && value.isTransient() && value.getValue() instanceof String token ? token : null;
    }
}
