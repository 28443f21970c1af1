package org.vdresize.process;

import static org.vdresize.process.WatchProcess.*;

import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;
import org.vdresize.watch.PolicyInputs;
import org.vdresize.watch.WatchCycle;

/**
 * Task_SampleFilesystem: the guest's filesystem usage, as the policy's inputs. The watch is the
 * business key; an instance that does not act for a live watch (deleted, or started past the API)
 * stops here.
 */
@Component
public class SampleFilesystemDelegate implements JavaDelegate {

    private final WatchCycle cycle;

    public SampleFilesystemDelegate(WatchCycle cycle) {
        this.cycle = cycle;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String watchId = execution.getProcessBusinessKey();
        boolean active = watchId != null && cycle.isActive(watchId, execution.getProcessInstanceId());
        execution.setVariable(VAR_WATCH_ACTIVE, active);
        Optional<PolicyInputs> inputs = active ? cycle.sample(watchId) : Optional.empty();
        execution.setVariable(VAR_SAMPLED, inputs.isPresent());
        inputs.ifPresent(in -> {
            execution.setVariable(VAR_USED_PERCENT, in.usedPercent());
            execution.setVariable(VAR_FREE_BYTES, in.freeBytes());
            execution.setVariable(VAR_DISK_SIZE, in.diskSize());
            execution.setVariable(VAR_MAX_SIZE, in.maxSize());
            execution.setVariable(VAR_GROWTHS_LAST_24H, in.growthsLast24h());
            execution.setVariable(VAR_HOURS_TO_FULL, in.hoursToFull());
            execution.setVariable(VAR_MOUNTPOINT, in.mountpoint());
        });
    }
}
