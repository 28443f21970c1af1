package org.vdresize.process;

import static org.vdresize.process.WatchProcess.VAR_GROW_STARTED;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.stereotype.Component;
import org.vdresize.watch.Watch;
import org.vdresize.watch.WatchCycle;

/**
 * Task_StartGrow: starts the resize through the resize service, as the watch ({@code watch:<id>},
 * the resize's requestedBy) with the groups of the user who created it: a watch can start what its
 * creator may start, and no more (the engine's authorization checks the start).
 */
@Component
public class StartGrowDelegate implements JavaDelegate {

    private final WatchCycle cycle;
    private final IdentityService identity;

    public StartGrowDelegate(WatchCycle cycle, IdentityService identity) {
        this.cycle = cycle;
        this.identity = identity;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String watchId = execution.getProcessBusinessKey();
        Watch watch = cycle.watch(watchId).orElse(null);
        if (watch == null) {
            execution.setVariable(VAR_GROW_STARTED, false);
            return;
        }
        List<String> groups = identity.createGroupQuery().groupMember(watch.createdBy()).list().stream()
                .map(Group::getId).toList();
        // an asynchronous step: the job's thread has no user of its own to keep
        identity.setAuthentication(watch.requester(), groups);
        try {
            execution.setVariable(VAR_GROW_STARTED, cycle.grow(watchId));
        } finally {
            identity.clearAuthentication();
        }
    }
}
