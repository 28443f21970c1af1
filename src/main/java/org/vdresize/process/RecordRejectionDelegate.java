package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ValidationSteps;

/** Task_RecordRejection: the resize ends REJECTED with the broken rule's code. */
@Component
public class RecordRejectionDelegate implements JavaDelegate {

    private final ValidationSteps steps;

    public RecordRejectionDelegate(ValidationSteps steps) {
        this.steps = steps;
    }

    @Override
    public void execute(DelegateExecution execution) {
        steps.reject(Steps.ref(execution), RequestVariables.readLeniently(execution), Steps.requester(execution),
                Steps.errorCode(execution), Steps.string(execution, VAR_ERROR_MESSAGE));
    }
}
