package org.vdresize.process;

import static org.vdresize.process.WatchProcess.*;

import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.watch.PolicyInputs;
import org.vdresize.watch.WatchCycle;

/** Task_RecordDecision: the policy's answer (Task_DecidePolicy's result) recorded with its inputs. */
@Component
public class RecordDecisionDelegate implements JavaDelegate {

    private final WatchCycle cycle;

    public RecordDecisionDelegate(WatchCycle cycle) {
        this.cycle = cycle;
    }

    @Override
    public void execute(DelegateExecution execution) {
        PolicyInputs in = new PolicyInputs(number(execution, VAR_USED_PERCENT).doubleValue(),
                number(execution, VAR_FREE_BYTES).longValue(), number(execution, VAR_DISK_SIZE).longValue(),
                number(execution, VAR_MAX_SIZE).longValue(), number(execution, VAR_GROWTHS_LAST_24H).intValue(),
                number(execution, VAR_HOURS_TO_FULL).doubleValue(), (String) execution.getVariable(VAR_MOUNTPOINT));
        Object result = execution.getVariable(VAR_POLICY);
        Map<?, ?> policy = result instanceof Map<?, ?> map ? map : Map.of();
        Object action = policy.get(OUTPUT_ACTION);
        Object growBy = policy.get(OUTPUT_GROW_BY);
        boolean grow = cycle.decide(execution.getProcessBusinessKey(), in, action == null ? null : action.toString(),
                growBy instanceof Number n ? n.longValue() : null);
        execution.setVariable(VAR_GROW, grow);
    }

    private static Number number(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        if (value instanceof Number n) {
            return n;
        }
        throw new IllegalStateException("variable " + name + " is not a number: " + value);
    }
}
