package org.vdresize.process;

import java.time.Duration;
import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;
import org.vdresize.watch.WatchProcessPort;

/**
 * The engine behind the watch feature: one disk-watch instance per watch, its business key the
 * watch's id. Started and ended by vdresize itself, without the caller's authorization check: the
 * API has checked who may create and delete a watch, and no role is granted starting or deleting
 * disk-watch instances in the engine, so engine-rest cannot go around the API.
 */
@Component
class CamundaWatchProcess implements WatchProcessPort {

    /** a grow's resize is looked at this often while it runs (never more often than the samples) */
    static final Duration MAX_COOLDOWN_INTERVAL = Duration.ofSeconds(15);

    private final RuntimeService runtime;
    private final IdentityService identity;

    CamundaWatchProcess(RuntimeService runtime, IdentityService identity) {
        this.runtime = runtime;
        this.identity = identity;
    }

    @Override
    public String start(String watchId, Duration interval, String user) {
        Duration cooldown = interval.compareTo(MAX_COOLDOWN_INTERVAL) < 0 ? interval : MAX_COOLDOWN_INTERVAL;
        return asVdresize(user, () -> runtime.startProcessInstanceByKey(WatchProcess.PROCESS_KEY, watchId,
                Variables.createVariables()
                        .putValue(WatchProcess.VAR_INTERVAL, interval.toString())
                        .putValue(WatchProcess.VAR_COOLDOWN_INTERVAL, cooldown.toString())).getId());
    }

    @Override
    public void stop(String processInstanceId, String reason, String user) {
        asVdresize(user, () -> {
            if (runtime.createProcessInstanceQuery().processInstanceId(processInstanceId).count() > 0) {
                runtime.deleteProcessInstance(processInstanceId, reason);
            }
            return null;
        });
    }

    /** Without authorization checks; the user (with their groups) is the engine's current user again afterwards. */
    private <T> T asVdresize(String user, Supplier<T> call) {
        identity.clearAuthentication();
        try {
            return call.get();
        } finally {
            if (user != null) {
                identity.setAuthentication(user, identity.createGroupQuery().groupMember(user).list().stream()
                        .map(Group::getId).toList());
            }
        }
    }
}
