package org.vdresize.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** A delegate bean of the diagram in a test: counts its calls and does what the test tells it to. */
final class RecordingDelegate implements JavaDelegate {

    private JavaDelegate behaviour = execution -> { };
    private int calls;

    /** what the delegate does from now on (set variables, throw a BpmnError or an exception) */
    void does(JavaDelegate behaviour) {
        this.behaviour = behaviour;
    }

    /** how often the engine called it, including calls that threw (their transaction rolled back) */
    int calls() {
        return calls;
    }

    @Override
    public void execute(DelegateExecution execution) throws Exception {
        calls++;
        behaviour.execute(execution);
    }
}
