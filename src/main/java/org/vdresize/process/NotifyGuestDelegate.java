package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_VM_UUID;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.GuestSteps;

/** Task_NotifyGuest (one instance per VM): the guest agent step; its outcome is recorded, never raised. */
@Component
public class NotifyGuestDelegate implements JavaDelegate {

    private final GuestSteps steps;

    public NotifyGuestDelegate(GuestSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.notifyGuest(Steps.ref(execution), Steps.string(execution, VAR_VM_UUID));
    }
}
