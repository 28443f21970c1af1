package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;

import org.vdresize.common.OperationFailedException;
import org.vdresize.vm.VmDiskOutcome;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResizeSteps;

/**
 * Task_ResizeVm (one instance per VM): the block resize in the VM's QEMU. Counts the VMs that
 * saw the new size: before the first, a failure rolls back; after it, the resize rolls forward.
 */
@Component
public class ResizeVmDelegate implements JavaDelegate {

    private final ResizeSteps steps;

    public ResizeVmDelegate(ResizeSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        VmDiskOutcome outcome;
        try {
            outcome = steps.resizeVm(Steps.ref(execution), Steps.string(execution, VAR_VM_UUID));
        } catch (OperationFailedException e) {
            throw Steps.error(execution, ERROR_VM_RESIZE_FAILED, "VM_RESIZE_FAILED", e.getMessage());
        }
        if (outcome.guestSawNewSize()) {
            Object seen = execution.getVariable(VAR_VMS_RESIZED);
            execution.setVariable(VAR_VMS_RESIZED, (seen instanceof Integer n ? n : 0) + 1);
        }
    }
}
