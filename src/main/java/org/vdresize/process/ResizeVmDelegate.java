package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;

import org.vdresize.common.OperationFailedException;
import org.vdresize.common.TransientFailureException;
import org.vdresize.vm.VmDiskOutcome;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.FailureCode;
import org.vdresize.resize.VmSteps;

/**
 * Task_ResizeVm (one instance per VM): the block resize in the VM's QEMU. Counts the VMs that
 * saw the new size: before the first, a failure rolls back; after it, the resize rolls forward.
 */
@Component
public class ResizeVmDelegate implements JavaDelegate {

    private final VmSteps steps;

    public ResizeVmDelegate(VmSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        VmDiskOutcome outcome;
        try {
            outcome = steps.resizeVm(Steps.ref(execution), Steps.string(execution, VAR_VM_UUID));
        } catch (OperationFailedException e) {
            throw failed(execution, FailureCode.VM_RESIZE_FAILED, e.getMessage());
        } catch (TransientFailureException e) {
            if (!JobAttempts.isLast(execution)) {
                throw e; // the engine retries with backoff
            }
            throw failed(execution, FailureCode.VM_UNREACHABLE, "gave up after the last retry: " + e.getMessage());
        }
        if (outcome.guestSawNewSize()) {
            Object seen = execution.getVariable(VAR_VMS_RESIZED);
            execution.setVariable(VAR_VMS_RESIZED, (seen instanceof Integer n ? n : 0) + 1);
            if (execution.getVariable(VAR_GUESTS_WITHOUT_AGENT) instanceof java.util.Collection<?> noAgent
                    && noAgent.contains(Steps.string(execution, VAR_VM_UUID))) {
                // no guest job for it (validation found no agent channel): its guest outcome is recorded here
                steps.guestWithoutAgent(Steps.ref(execution), Steps.string(execution, VAR_VM_UUID));
            }
        }
    }

    /**
     * The gateway after the error decides roll back or forward on vmsResized; it is recounted from
     * what the VMs report now, and a VM that cannot be asked counts as having seen the new size.
     */
    private BpmnError failed(DelegateExecution execution, FailureCode code, String message) {
        int seen = steps.vmsThatMaySeeTheNewSize(Steps.ref(execution));
        Object counted = execution.getVariable(VAR_VMS_RESIZED);
        execution.setVariable(VAR_VMS_RESIZED, Math.max(seen, counted instanceof Integer n ? n : 0));
        return Steps.error(execution, ERROR_VM_RESIZE_FAILED, code, message);
    }
}
