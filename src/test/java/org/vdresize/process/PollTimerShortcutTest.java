package org.vdresize.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;
import static org.mockito.Mockito.after;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.doAnswer;
import static org.vdresize.process.ResizeProcess.*;

import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shortcuts of the storage poll loop on the real diagram (mocked delegates, the plain test
 * engine, its job executor replaced by a mock that records when it is woken).
 */
@Deployment(resources = {
    "bpmn/virtual-disk-resize.bpmn", "forms/resize-start.form", "forms/needs-attention.form",
    "forms/approve-resize.form"})
class PollTimerShortcutTest {

    /** the test engine's configuration records coverage, so its extension is needed; no coverage is asserted here */
    @RegisterExtension
    static final ProcessEngineCoverageExtension ENGINE = ProcessEngineCoverageExtension.builder()
        .configurationResource(VirtualDiskResizeProcessTest.ENGINE_CONFIGURATION)
        .build();

    private final JobExecutor jobExecutor = mock(JobExecutor.class);
    private ProcessEngineConfigurationImpl configuration;
    private JobExecutor original;
    private ManagementService management;
    private PollTimerShortcut shortcut;
    private ResizeDelegates delegates;

    @BeforeEach
    void setUp() {
        ProcessEngine engine = ENGINE.getProcessEngine();
        BpmnAwareTests.init(engine);
        configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        original = configuration.getJobExecutor();
        configuration.setJobExecutor(jobExecutor);
        management = engine.getManagementService();
        shortcut = new PollTimerShortcut(management, configuration);
        delegates = new ResizeDelegates();
    }

    @AfterEach
    void tearDown() {
        shortcut.stop();
        configuration.setJobExecutor(original);
        Mocks.reset();
        ClockUtil.reset();
    }

    /** extend, then a check that finds the job RUNNING: the process waits in the poll timer */
    private ProcessInstance waitingInThePollTimer(String pollInterval) {
        delegates.givenValidRequestPolledEvery(pollInterval, "vm-1")
            .givenStorageJobStates(STORAGE_JOB_RUNNING, STORAGE_JOB_DONE);
        ProcessInstance pi = ENGINE.getProcessEngine().getRuntimeService().startProcessInstanceByKey(PROCESS_KEY, ResizeDelegates.DISK,
            withVariables(VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G", VAR_NOTIFY_GUEST, false, VAR_GROW_FILESYSTEM, false));
        execute(job(pi)); // extend
        execute(job(pi)); // check: RUNNING
        BpmnAwareTests.assertThat(pi).isWaitingAt(EVENT_POLL_INTERVAL);
        return pi;
    }

    private Job pollTimer(ProcessInstance pi) {
        return management.createJobQuery().processInstanceId(pi.getId()).timers().activityId(EVENT_POLL_INTERVAL).singleResult();
    }

    @Test
    void aJobThatEndsWhileTheProcessWaitsMakesTheTimerDueNowAndWakesTheJobExecutor() {
        ProcessInstance pi = waitingInThePollTimer("PT1H");

        shortcut.storageJobEnded(pi.getId());

        assertThat(pollTimer(pi).getDuedate()).isBeforeOrEqualTo(ClockUtil.getCurrentTime());
        verify(jobExecutor).jobWasAdded();
        execute(pollTimer(pi));
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);
        execute(job(pi)); // check: DONE
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
    }

    /** before the check's commit there is no timer to fire: nothing happens (the check tells again after its commit) */
    @Test
    void aJobThatEndsBeforeTheTimerExistsChangesNothing() {
        delegates.givenValidRequest("vm-1");
        ProcessInstance pi = ENGINE.getProcessEngine().getRuntimeService().startProcessInstanceByKey(PROCESS_KEY, ResizeDelegates.DISK,
            withVariables(VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G", VAR_NOTIFY_GUEST, false, VAR_GROW_FILESYSTEM, false));
        execute(job(pi)); // extend
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);

        shortcut.storageJobEnded(pi.getId());

        verify(jobExecutor, never()).jobWasAdded();
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);
    }

    /** the idle job executor sleeps up to max-wait: it is woken when the timer is due, not before */
    @Test
    void aProcessWaitingInThePollTimerWakesTheJobExecutorAtTheDueDate() {
        ProcessInstance pi = waitingInThePollTimer("PT0.6S");
        long due = pollTimer(pi).getDuedate().getTime();
        AtomicLong wokenAt = new AtomicLong();
        doAnswer(i -> {
            wokenAt.compareAndSet(0, System.currentTimeMillis());
            return null;
        }).when(jobExecutor).jobWasAdded();

        shortcut.waitingForPoll(pi.getId());

        verify(jobExecutor, after(Math.max(0, due - System.currentTimeMillis() - 150)).never()).jobWasAdded();
        verify(jobExecutor, timeout(3000)).jobWasAdded();
        assertThat(wokenAt.get()).as("woken at or after the due date").isGreaterThanOrEqualTo(due);
        assertThat(pollTimer(pi).getDuedate().getTime()).as("the due date stays as modelled").isEqualTo(due);
    }

    @Test
    void noTimerNoWakeUp() {
        delegates.givenValidRequest("vm-1");
        ProcessInstance pi = ENGINE.getProcessEngine().getRuntimeService().startProcessInstanceByKey(PROCESS_KEY, ResizeDelegates.DISK,
            withVariables(VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G", VAR_NOTIFY_GUEST, false, VAR_GROW_FILESYSTEM, false));

        shortcut.waitingForPoll(pi.getId());

        verify(jobExecutor, after(200).never()).jobWasAdded();
    }
}
