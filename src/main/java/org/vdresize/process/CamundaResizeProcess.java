package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.PROCESS_KEY;
import static org.vdresize.process.ResizeProcess.VAR_VALIDATION_TOKEN;
import static org.vdresize.process.ResizeProcess.STEP_NAMES;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.Tenant;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;
import org.vdresize.common.NotPermittedException;
import org.vdresize.lock.ResizeLiveness;
import org.vdresize.resize.ResizeProcessPort;
import org.vdresize.resize.ResizeRepository;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ResizeView;
import org.vdresize.resize.StepState;

/**
 * The engine behind the resize feature's ports: starting instances, their liveness, the failed
 * attempts of their steps and, for instances cancelled before vdresize recorded that itself, how
 * they were cancelled. A resize's steps are vdresize's own rows ({@link StepRecordingPlugin}).
 *
 * <p>With Camunda's authorization checks on, the start is checked for the requesting user (the
 * engine refuses it without CREATE_INSTANCE on the process), while the reads here run without
 * authorization checks: they serve vdresize's own API, which has decided who may read, and a
 * liveness check that saw fewer instances because of the caller's grants would take a live lock.
 */
@Component
class CamundaResizeProcess implements ResizeProcessPort, ResizeLiveness {

    private final RuntimeService runtime;
    private final HistoryService history;
    private final ManagementService management;
    private final IdentityService identity;
    private final ResizeRepository resizes;

    CamundaResizeProcess(RuntimeService runtime, HistoryService history, ManagementService management,
                         IdentityService identity, ResizeRepository resizes) {
        this.runtime = runtime;
        this.history = history;
        this.management = management;
        this.identity = identity;
        this.resizes = resizes;
    }

    @Override
    public String start(ResizeRequest request, String businessKey, String user, String validationToken) {
        // IdentityService's own type for it; kept as it is, to be put back as it was
        var before = identity.getCurrentAuthentication();
        // the start event's camunda:initiator records the authenticated user as the requester, and
        // the engine checks that user's (and groups') permission to start the process
        if (before == null || !user.equals(before.getUserId())) {
            authenticate(user);
        }
        try {
            VariableMap all = Variables.fromMap(RequestVariables.of(request));
            if (validationToken != null) {
                all.putValueTyped(VAR_VALIDATION_TOKEN, Variables.stringValue(validationToken, true));
            }
            return runtime.startProcessInstanceByKey(PROCESS_KEY, businessKey, all).getId();
        } catch (AuthorizationException refused) {
            throw new NotPermittedException(refused.getMessage(), refused);
        } finally {
            identity.setAuthentication(before);
        }
    }

    /** A user named by a caller that has not authenticated it with the engine (not an HTTP request). */
    private void authenticate(String user) {
        List<String> groups = withoutAuthorization(
                () -> identity.createGroupQuery().groupMember(user).list().stream().map(Group::getId).toList());
        List<String> tenants = withoutAuthorization(() -> identity.createTenantQuery().userMember(user)
                .includingGroupsOfUser(true).list().stream().map(Tenant::getId).toList());
        identity.setAuthentication(user, groups, tenants);
    }

    @Override
    public boolean isActive(String resizeId) {
        return withoutAuthorization(() -> runtime.createProcessInstanceQuery().processInstanceId(resizeId).count() > 0);
    }

    @Override
    public Optional<Cancellation> cancellation(String resizeId) {
        Optional<Cancellation> recorded = resizes.cancellation(resizeId);
        if (recorded.isPresent() || isActive(resizeId)) {
            return recorded;
        }
        // cancelled before vdresize recorded cancellations (StepRecordingPlugin): the engine's history
        return withoutAuthorization(() -> {
            HistoricProcessInstance instance = history.createHistoricProcessInstanceQuery().processInstanceId(resizeId)
                    .singleResult();
            if (instance == null || !(HistoricProcessInstance.STATE_EXTERNALLY_TERMINATED.equals(instance.getState())
                    || HistoricProcessInstance.STATE_INTERNALLY_TERMINATED.equals(instance.getState()))) {
                return Optional.empty(); // ended through one of its end events, or unknown
            }
            String user = history.createUserOperationLogQuery().processInstanceId(resizeId)
                    .operationType(UserOperationLogEntry.OPERATION_TYPE_DELETE).list().stream()
                    .map(UserOperationLogEntry::getUserId).filter(java.util.Objects::nonNull).findFirst().orElse(null);
            return Optional.of(new Cancellation(user, instance.getDeleteReason(),
                    instance.getEndTime() == null ? null : instance.getEndTime().toInstant()));
        });
    }

    @Override
    public List<ResizeView.Step> failedAttempts(String resizeId) {
        return withoutAuthorization(() -> readFailedAttempts(resizeId));
    }

    /**
     * Runs engine reads with the authorization checks off: the engine checks only for an
     * authenticated user, so the authentication is put aside for the reads and put back as it was
     * (the reads record nothing that would miss the user). Inside a command (a delegate's liveness
     * check) the reads join it, and with it the Spring transaction.
     */
    private <T> T withoutAuthorization(Supplier<T> reads) {
        var current = identity.getCurrentAuthentication();
        if (current == null) {
            return reads.get();
        }
        identity.clearAuthentication();
        try {
            return reads.get();
        } finally {
            identity.setAuthentication(current);
        }
    }

    private List<ResizeView.Step> readFailedAttempts(String resizeId) {
        List<ResizeView.Step> steps = new ArrayList<>();
        for (Job job : management.createJobQuery().processInstanceId(resizeId).withException().list()) {
            String activity = activityOf(job);
            steps.add(new ResizeView.Step(STEP_NAMES.containsKey(activity) ? STEP_NAMES.get(activity).name() : activity,
                    job.getRetries() > 0 ? StepState.RETRYING : StepState.INCIDENT, null, null,
                    job.getExceptionMessage() + (job.getRetries() > 0 ? " (retries left: " + job.getRetries() + ")" : "")));
        }
        return steps;
    }

    /**
     * The activity of a failed job. Not JobEntity.getActivityId(): outside a command context (a
     * query result read in a REST call) it throws a NullPointerException, which made GET
     * /api/resizes/{id} answer 500 for every resize with a job waiting for a retry.
     */
    private String activityOf(Job job) {
        if (job.getFailedActivityId() != null) {
            return job.getFailedActivityId();
        }
        JobDefinition definition = job.getJobDefinitionId() == null ? null
                : management.createJobDefinitionQuery().jobDefinitionId(job.getJobDefinitionId()).singleResult();
        return definition == null ? "UNKNOWN_STEP" : definition.getActivityId();
    }
}
