package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.PROCESS_KEY;
import static org.vdresize.process.ResizeProcess.STEP_NAMES;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.runtime.Job;
import org.springframework.stereotype.Component;
import org.vdresize.lock.ResizeLiveness;
import org.vdresize.resize.ResizeProcessPort;
import org.vdresize.resize.ResizeRepository;
import org.vdresize.resize.ResizeView;

/** The engine behind the resize feature's ports: starting instances, their liveness, their steps. */
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
    public String start(Map<String, Object> variables, String businessKey, String user) {
        Authentication before = identity.getCurrentAuthentication();
        // the start event's camunda:initiator records the authenticated user as the requester
        if (before == null || !user.equals(before.getUserId())) {
            identity.setAuthenticatedUserId(user);
        }
        try {
            return runtime.startProcessInstanceByKey(PROCESS_KEY, businessKey, variables).getId();
        } finally {
            identity.setAuthentication(before);
        }
    }

    @Override
    public boolean isActive(String resizeId) {
        return runtime.createProcessInstanceQuery().processInstanceId(resizeId).count() > 0;
    }

    @Override
    public List<ResizeView.Step> steps(String resizeId) {
        Map<String, String> details = resizes.stepDetails(resizeId);
        List<ResizeView.Step> steps = new ArrayList<>();
        for (HistoricActivityInstance a : history.createHistoricActivityInstanceQuery().processInstanceId(resizeId)
                .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list()) {
            String name = STEP_NAMES.get(a.getActivityId());
            if (name == null) {
                continue; // gateways, start/end events, multi-instance bodies: not steps a person cares about
            }
            String status = a.getEndTime() == null ? "RUNNING" : a.isCanceled() ? "FAILED" : "DONE";
            steps.add(new ResizeView.Step(name, status, instant(a.getStartTime()), instant(a.getEndTime()),
                    details.get(a.getId())));
        }
        // a failed attempt rolled its step back; its job still says what went wrong
        for (Job job : management.createJobQuery().processInstanceId(resizeId).withException().list()) {
            String activity = activityOf(job);
            steps.add(new ResizeView.Step(STEP_NAMES.getOrDefault(activity, activity),
                    job.getRetries() > 0 ? "RETRYING" : "INCIDENT", null, null,
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

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
