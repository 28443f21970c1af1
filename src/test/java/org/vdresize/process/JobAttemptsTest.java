package org.vdresize.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;
import static org.vdresize.process.ResizeProcess.*;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The VM step's "last attempt?" on the real diagram's retry cycle, through the engine's public job query. */
@Deployment(resources = {
    "bpmn/virtual-disk-resize.bpmn", "forms/resize-start.form", "forms/needs-attention.form",
    "forms/approve-resize.form"})
class JobAttemptsTest {

    /** the test engine's configuration records coverage, so its extension is needed; no coverage is asserted here */
    @RegisterExtension
    static final ProcessEngineCoverageExtension ENGINE = ProcessEngineCoverageExtension.builder()
        .configurationResource(VirtualDiskResizeProcessTest.ENGINE_CONFIGURATION)
        .build();

    private ResizeDelegates delegates;

    @BeforeEach
    void setUp() {
        BpmnAwareTests.init(ENGINE.getProcessEngine());
        delegates = new ResizeDelegates().givenValidRequest("vm-1");
    }

    @AfterEach
    void tearDown() {
        Mocks.reset();
    }

    @Test
    void onlyTheAttemptAfterWhichTheEngineWouldRaiseAnIncidentIsTheLast() {
        List<Boolean> lastAttempt = new ArrayList<>();
        delegates.resizeVm.does(execution -> {
            lastAttempt.add(JobAttempts.isLast(execution));
            throw new IllegalStateException("libvirt connection lost");
        });
        ProcessInstance pi = ENGINE.getProcessEngine().getRuntimeService().startProcessInstanceByKey(PROCESS_KEY,
            ResizeDelegates.DISK, withVariables(VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G"));
        execute(job(pi)); // extend
        execute(job(pi)); // check: DONE
        ManagementService management = ENGINE.getProcessEngine().getManagementService();

        Job vmJob = job(pi);
        while (vmJob.getRetries() > 0) {
            String id = vmJob.getId();
            assertThat(catchThrowable(() -> management.executeJob(id))).isNotNull();
            vmJob = management.createJobQuery().jobId(id).singleResult();
        }

        // PT1S,PT5S,PT15S,PT30S: the first attempt and four retries, then an incident
        assertThat(lastAttempt).containsExactly(false, false, false, false, true);
        assertThat(ENGINE.getProcessEngine().getRuntimeService().createIncidentQuery().processInstanceId(pi.getId()).count())
            .isOne();
    }

    @Test
    void aCallOutsideAJobIsNeverTheLastAttempt() {
        List<Boolean> lastAttempt = new ArrayList<>();
        // the validation runs in the starting transaction, not in a job
        delegates.validateRequest.does(execution -> {
            lastAttempt.add(JobAttempts.isLast(execution));
            execution.setVariable(VAR_NOOP, true);
        });
        ENGINE.getProcessEngine().getRuntimeService().startProcessInstanceByKey(PROCESS_KEY, ResizeDelegates.DISK,
            withVariables(VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G"));

        assertThat(lastAttempt).containsExactly(false);
    }
}
