package org.vdresize.process;

import static org.vdresize.process.WatchProcess.VAR_COOLDOWN_OVER;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.watch.WatchCycle;

/** Task_CheckCooldown: has the grow's resize ended, and does the guest show the new size? */
@Component
public class CheckCooldownDelegate implements JavaDelegate {

    private final WatchCycle cycle;

    public CheckCooldownDelegate(WatchCycle cycle) {
        this.cycle = cycle;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable(VAR_COOLDOWN_OVER, cycle.cooldownOver(execution.getProcessBusinessKey()));
    }
}
