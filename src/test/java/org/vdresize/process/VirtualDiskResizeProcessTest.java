package org.vdresize.process;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.formService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.historyService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.identityService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.repositoryService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.taskService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;
import static org.vdresize.process.ResizeProcess.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.assertj.core.api.Assertions;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.Mockito;

/**
 * Every path of bpmn/virtual-disk-resize.bpmn with mocked delegates: no Spring, no libvirt.
 * Jobs and timers are executed by hand, so each test also shows where the process commits
 * (waits in a job) and where it does not.
 */
@Deployment(resources = {
    "bpmn/virtual-disk-resize.bpmn", "forms/resize-start.form", "forms/needs-attention.form",
    "forms/approve-resize.form"})
class VirtualDiskResizeProcessTest {

    /**
     * Not named camunda.cfg.xml: Camunda's ProcessEngines.init() builds an engine from every
     * camunda.cfg.xml on the class path, so each Spring Boot test would build this one too, on the
     * request thread of its first /engine-rest call.
     */
    static final String ENGINE_CONFIGURATION = "process-test.camunda.cfg.xml";

    /** the class fails unless its tests together pass every flow node and sequence flow */
    @RegisterExtension
    static final ProcessEngineCoverageExtension ENGINE = ProcessEngineCoverageExtension.builder()
        .configurationResource(ENGINE_CONFIGURATION)
        .assertClassCoverageAtLeast(1.0)
        .build();

    private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

    private ResizeDelegates delegates;

    @BeforeEach
    void setUp() {
        // other test classes in this JVM start Spring engines too: bind the assertions to this one
        org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init(ENGINE.getProcessEngine());
        ClockUtil.setCurrentTime(Date.from(NOW));
        delegates = new ResizeDelegates();
    }

    @AfterEach
    void tearDown() {
        Mocks.reset();
        ClockUtil.reset();
    }

    private ProcessInstance startResize() {
        return runtimeService().startProcessInstanceByKey(PROCESS_KEY, ResizeDelegates.DISK, withVariables(
            VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G", VAR_NOTIFY_GUEST, true, VAR_GROW_FILESYSTEM, false));
    }

    /** executes the instance's single due job (an async continuation or a timer) */
    private void executeJob(ProcessInstance pi) {
        execute(job(pi));
    }

    private Object historicVariable(ProcessInstance pi, String name) {
        HistoricVariableInstance variable = historyService().createHistoricVariableInstanceQuery()
            .processInstanceId(pi.getId()).variableName(name).singleResult();
        return variable == null ? null : variable.getValue();
    }

    private long timesPassed(ProcessInstance pi, String activityId) {
        return historyService().createHistoricActivityInstanceQuery()
            .processInstanceId(pi.getId()).activityId(activityId).finished().count();
    }

    // ================================================================ rejected, no-op

    @Test
    void requestRejectedByValidationEndsInTheStartingTransactionAndTouchesNothing() {
        delegates.givenRejectedRequest("SHRINK_NOT_SUPPORTED", "the disk has 30 GiB, 20G would shrink it");

        ProcessInstance pi = startResize();

        // no job was needed: the REST start call sees the rejection in its own transaction
        assertThat(pi).isEnded().hasPassedInOrder(EVENT_RESIZE_REQUESTED, EVENT_REQUEST_REJECTED,
            TASK_RECORD_REJECTION, EVENT_RESIZE_REJECTED);
        assertThat(pi).hasNotPassed(TASK_LOCK_DISK, TASK_RECORD_NOOP);
        // the boundary event keeps the rule the delegate named (it does not overwrite errorCode)
        Assertions.assertThat(historicVariable(pi, VAR_ERROR_CODE)).isEqualTo("SHRINK_NOT_SUPPORTED");
        Assertions.assertThat(delegates.recordRejection.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.lockDisk.calls()).isZero();
        Assertions.assertThat(delegates.releaseLock.calls()).isZero();
    }

    @Test
    void diskBusyAtLockIsRejectedInTheStartingTransaction() {
        delegates.givenValidRequest("vm-1").givenDiskBusy();

        ProcessInstance pi = startResize();

        assertThat(pi).isEnded().hasPassedInOrder(EVENT_RESIZE_REQUESTED, TASK_VALIDATE_REQUEST,
            GATEWAY_ALREADY_AT_SIZE, EVENT_DISK_BUSY, TASK_RECORD_REJECTION, EVENT_RESIZE_REJECTED);
        assertThat(pi).hasNotPassed(TASK_EXTEND_STORAGE);
        Assertions.assertThat(historicVariable(pi, VAR_ERROR_CODE)).isEqualTo("DISK_BUSY");
        Assertions.assertThat(delegates.extendStorage.calls()).isZero();
        // the lock was not taken, so there is nothing to release
        Assertions.assertThat(delegates.releaseLock.calls()).isZero();
    }

    @Test
    void diskAlreadyAtSizeIsRecordedAsNoopWithoutLocking() {
        delegates.givenNoopRequest();

        ProcessInstance pi = startResize();

        assertThat(pi).isEnded().hasPassedInOrder(EVENT_RESIZE_REQUESTED, TASK_VALIDATE_REQUEST,
            GATEWAY_ALREADY_AT_SIZE, TASK_RECORD_NOOP, EVENT_ALREADY_AT_SIZE);
        assertThat(pi).hasNotPassed(TASK_LOCK_DISK, TASK_EXTEND_STORAGE);
        Assertions.assertThat(delegates.recordNoop.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.lockDisk.calls()).isZero();
    }

    // ================================================================ happy paths

    @Test
    void floatingDiskWithoutVmsCompletesAfterTheStorageStep() {
        delegates.givenValidRequest();

        ProcessInstance pi = startResize();
        // validated and locked in the starting transaction; the storage step is the first job
        assertThat(pi).isWaitingAt(TASK_EXTEND_STORAGE);
        Assertions.assertThat(delegates.lockDisk.calls()).isEqualTo(1);

        executeJob(pi);
        assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);
        executeJob(pi);

        // an empty VM list passes both per-VM steps without a job and without a VM or guest call
        assertThat(pi).isEnded().hasPassedInOrder(TASK_LOCK_DISK, TASK_EXTEND_STORAGE, TASK_CHECK_STORAGE_JOB,
            GATEWAY_STORAGE_JOB_DONE, TASK_RESIZE_VM + "#multiInstanceBody", TASK_NOTIFY_GUEST + "#multiInstanceBody",
            TASK_RECORD_RESULT, TASK_RELEASE_LOCK, EVENT_RESIZE_COMPLETED);
        assertThat(pi).hasNotPassed(TASK_RESIZE_VM, TASK_NOTIFY_GUEST);
        Assertions.assertThat(delegates.vmCalls).isEmpty();
        Assertions.assertThat(delegates.guestCalls).isEmpty();
        Assertions.assertThat(delegates.notifyGuest.calls()).isZero();
        Assertions.assertThat(historicVariable(pi, VAR_VMS_RESIZED)).isEqualTo(0);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
    }

    @Test
    void diskOfOneVmIsResizedAndItsGuestToldInFourJobs() {
        delegates.givenValidRequest("vm-1");

        ProcessInstance pi = startResize();
        executeJob(pi); // extend storage
        executeJob(pi); // check storage job: DONE
        assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
        executeJob(pi); // resize in vm-1
        // the guest step is a job of its own: a crash while talking to the agent does not redo the VM step
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST);
        Assertions.assertThat(delegates.notifyGuest.calls()).isZero();
        executeJob(pi); // tell the guest of vm-1

        assertThat(pi).isEnded().hasPassedInOrder(TASK_CHECK_STORAGE_JOB, TASK_RESIZE_VM, GATEWAY_JOIN_RESULT,
            TASK_NOTIFY_GUEST, TASK_RECORD_RESULT, TASK_RELEASE_LOCK, EVENT_RESIZE_COMPLETED);
        Assertions.assertThat(delegates.trail).containsExactly("vm:vm-1", "guest:vm-1", "result");
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1");
        Assertions.assertThat(historicVariable(pi, VAR_VMS_RESIZED)).isEqualTo(1);
        Assertions.assertThat(delegates.recordResult.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.releaseLock.calls()).isEqualTo(1);
    }

    @Test
    void diskSharedByTwoVmsIsResizedInEachVmOneAfterTheOtherWithoutCompensation() {
        delegates.givenValidRequest("vm-1", "vm-2");

        ProcessInstance pi = startResize();
        executeJob(pi);
        executeJob(pi);
        executeJob(pi);
        // sequential: one VM per job, vm-2 after vm-1 committed
        assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1");
        executeJob(pi);
        // every VM has the new size before the first guest is told; then one guest per job
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST);
        Assertions.assertThat(delegates.guestCalls).isEmpty();
        executeJob(pi);
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST);
        Assertions.assertThat(delegates.guestCalls).containsExactly("vm-1");
        executeJob(pi);

        assertThat(pi).isEnded().hasPassed(EVENT_RESIZE_COMPLETED);
        Assertions.assertThat(delegates.trail)
            .containsExactly("vm:vm-1", "vm:vm-2", "guest:vm-1", "guest:vm-2", "result");
        Assertions.assertThat(timesPassed(pi, TASK_NOTIFY_GUEST)).isEqualTo(2);
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1", "vm-2");
        Assertions.assertThat(historicVariable(pi, VAR_VMS_RESIZED)).isEqualTo(2);
        // nothing failed, so nothing is undone
        assertThat(pi).hasNotPassed(TASK_SHRINK_STORAGE_BACK, EVENT_UNDO_AFTER_STORAGE_FAILURE,
            EVENT_UNDO_AFTER_VM_FAILURE, TASK_RECORD_ROLLBACK);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        Assertions.assertThat(delegates.recordRollback.calls()).isZero();
    }

    @Test
    void storageJobStillRunningIsPolledWithTheConfiguredInterval() {
        delegates.givenValidRequestPolledEvery("PT7S", "vm-1")
            .givenStorageJobStates(STORAGE_JOB_RUNNING, STORAGE_JOB_RUNNING, STORAGE_JOB_DONE);

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check: RUNNING

        for (int round = 1; round <= 2; round++) {
            assertThat(pi).isWaitingAt(GATEWAY_WAIT_FOR_STORAGE_JOB);
            Job timer = managementService().createJobQuery().processInstanceId(pi.getId()).timers().singleResult();
            Assertions.assertThat(timer.getDuedate().toInstant())
                .as("round %d: the timer waits pollInterval (PT7S)", round)
                .isEqualTo(NOW.plus(Duration.ofSeconds(7)));
            execute(timer);
            // the check after a timer is its own job again: a failed check does not re-run the timer
            assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);
            executeJob(pi);
        }

        assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
        executeJob(pi);
        executeJob(pi); // tell the guest
        assertThat(pi).isEnded().hasPassed(EVENT_RESIZE_COMPLETED);
        Assertions.assertThat(delegates.checkStorageJob.calls()).isEqualTo(3);
        Assertions.assertThat(timesPassed(pi, EVENT_POLL_INTERVAL)).isEqualTo(2);
        Assertions.assertThat(delegates.extendStorage.calls()).isEqualTo(1);
        assertThat(pi).hasNotPassed(EVENT_STORAGE_JOB_ENDED);
    }

    @Test
    void storageJobThatEndsWhileTheProcessWaitsIsCheckedAtOnceThroughItsMessage() {
        delegates.givenValidRequestPolledEvery("PT7S", "vm-1")
            .givenStorageJobStates(STORAGE_JOB_RUNNING, STORAGE_JOB_DONE);

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check: RUNNING
        assertThat(pi).isWaitingAt(GATEWAY_WAIT_FOR_STORAGE_JOB);

        // what the node that ran the storage job does when the job's row says DONE or FAILED
        runtimeService().createMessageCorrelation(MESSAGE_STORAGE_JOB_ENDED).processInstanceId(pi.getId())
            .correlateAllWithResult();

        // the timer is gone with the other branch of the event-based gateway; the check is its own job again
        assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);
        Assertions.assertThat(managementService().createJobQuery().processInstanceId(pi.getId()).timers().count())
            .isZero();
        executeJob(pi); // check: DONE
        executeJob(pi); // resize in vm-1
        executeJob(pi); // tell the guest
        assertThat(pi).isEnded().hasPassedInOrder(TASK_CHECK_STORAGE_JOB, GATEWAY_WAIT_FOR_STORAGE_JOB,
            EVENT_STORAGE_JOB_ENDED, GATEWAY_JOIN_STORAGE_WAIT, TASK_CHECK_STORAGE_JOB, GATEWAY_JOIN_STORAGE_DONE,
            TASK_RESIZE_VM, EVENT_RESIZE_COMPLETED);
        assertThat(pi).hasNotPassed(EVENT_POLL_INTERVAL);
        Assertions.assertThat(delegates.checkStorageJob.calls()).isEqualTo(2);
    }

    @Test
    void messageOfAJobThatEndedBeforeAnyWaitFindsNoProcessAndChangesNothing() {
        delegates.givenValidRequest("vm-1");

        ProcessInstance pi = startResize();
        // the job's end raced ahead of the check's commit: nobody waits yet, and the check reads the row anyway
        Assertions.assertThat(runtimeService().createMessageCorrelation(MESSAGE_STORAGE_JOB_ENDED)
            .processInstanceId(pi.getId()).correlateAllWithResult()).isEmpty();
        assertThat(pi).isWaitingAt(TASK_EXTEND_STORAGE);
    }

    @Test
    void imageThatQemuGrowsNeedsNoStorageCheckAndOneVmWithoutAGuestToTellTakesTwoJobs() {
        delegates.givenValidRequest("vm-1").givenStorageJobToCheck(false);
        // the VM's domain has no guest agent channel: the validation left it out of the guest step
        delegates.validateRequest.does(execution -> {
            execution.setVariable(VAR_DISK_PATH, ResizeDelegates.DISK);
            execution.setVariable(VAR_OLD_SIZE, 10 * ResizeDelegates.GIB);
            execution.setVariable(VAR_NEW_SIZE, 20 * ResizeDelegates.GIB);
            execution.setVariable(VAR_NOOP, false);
            execution.setVariable(VAR_APPROVAL_NEEDED, false);
            execution.setVariable(VAR_POLL_INTERVAL, "PT5S");
            execution.setVariable(VAR_VMS_TO_RESIZE, new java.util.ArrayList<>(java.util.List.of("vm-1")));
            execution.setVariable(VAR_GUESTS_TO_NOTIFY, new java.util.ArrayList<String>());
            execution.setVariable(VAR_GUESTS_WITHOUT_AGENT, new java.util.ArrayList<>(java.util.List.of("vm-1")));
        });

        ProcessInstance pi = startResize();
        executeJob(pi); // extend storage: QEMU grows the image
        assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
        executeJob(pi); // resize in vm-1, then straight on to the end

        assertThat(pi).isEnded().hasPassedInOrder(TASK_EXTEND_STORAGE, GATEWAY_STORAGE_JOB_TO_CHECK,
            GATEWAY_JOIN_STORAGE_DONE, TASK_RESIZE_VM, TASK_RECORD_RESULT, EVENT_RESIZE_COMPLETED);
        assertThat(pi).hasNotPassed(TASK_CHECK_STORAGE_JOB, TASK_NOTIFY_GUEST);
        Assertions.assertThat(delegates.checkStorageJob.calls()).isZero();
        Assertions.assertThat(delegates.notifyGuest.calls()).isZero();
        Assertions.assertThat(historyService().createHistoricJobLogQuery().processInstanceId(pi.getId())
            .successLog().count()).as("committed jobs").isEqualTo(2);
    }

    // ================================================================ approval of large growth

    @Test
    void growthBelowTheThresholdGoesStraightFromTheLockToTheStorage() {
        delegates.givenValidRequest("vm-1");

        ProcessInstance pi = startResize();

        assertThat(pi).isWaitingAt(TASK_EXTEND_STORAGE).hasPassedInOrder(TASK_LOCK_DISK, GATEWAY_APPROVAL_NEEDED,
            GATEWAY_JOIN_APPROVAL);
        assertThat(pi).hasNotPassed(TASK_RECORD_APPROVAL_REQUEST, USER_TASK_APPROVE_RESIZE, TASK_RECORD_APPROVAL);
        Assertions.assertThat(delegates.recordApprovalRequest.calls()).isZero();
    }

    /** starts a resize that needs approval: it waits at the approver's task, nothing changed yet */
    private ProcessInstance resizeWaitingForApproval() {
        ProcessInstance pi = startResize();
        // recorded WAITING_FOR_APPROVAL in the starting transaction: the start call returns with that status
        assertThat(pi).isWaitingAt(USER_TASK_APPROVE_RESIZE).hasPassedInOrder(TASK_VALIDATE_REQUEST, TASK_LOCK_DISK,
            GATEWAY_APPROVAL_NEEDED, TASK_RECORD_APPROVAL_REQUEST);
        Assertions.assertThat(delegates.recordApprovalRequest.calls()).isEqualTo(1);
        // the disk stays locked while the approver thinks, and nothing has been touched
        Assertions.assertThat(delegates.lockDisk.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.releaseLock.calls()).isZero();
        Assertions.assertThat(delegates.extendStorage.calls()).isZero();
        Assertions.assertThat(managementService().createJobQuery().processInstanceId(pi.getId()).count()).isZero();
        Task task = task(pi);
        assertThat(task).hasCandidateGroup("disk-approvers").hasCandidateGroup("camunda-admin");
        Assertions.assertThat(read(formService().getDeployedTaskForm(task.getId())))
            .contains("\"id\": \"approve-resize\"");
        return pi;
    }

    @Test
    void approvedResizeContinuesToTheStorageAndCompletes() {
        delegates.givenValidRequest("vm-1").givenApprovalNeeded();

        ProcessInstance pi = resizeWaitingForApproval();
        complete(task(pi), withVariables(VAR_APPROVED, true, VAR_APPROVAL_COMMENT, "ok, the pool has room"));

        // the approval is recorded in the completing transaction; the storage step is the next job
        assertThat(pi).isWaitingAt(TASK_EXTEND_STORAGE).hasPassedInOrder(USER_TASK_APPROVE_RESIZE, GATEWAY_APPROVED,
            TASK_RECORD_APPROVAL, GATEWAY_JOIN_APPROVAL);
        Assertions.assertThat(delegates.recordApproval.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.extendStorage.calls()).isZero();
        executeJob(pi); // extend
        executeJob(pi); // check
        executeJob(pi); // vm-1
        executeJob(pi); // guest of vm-1

        assertThat(pi).isEnded().hasPassedInOrder(TASK_RECORD_APPROVAL, TASK_EXTEND_STORAGE, TASK_RESIZE_VM,
            TASK_NOTIFY_GUEST, TASK_RECORD_RESULT, TASK_RELEASE_LOCK, EVENT_RESIZE_COMPLETED);
        assertThat(pi).hasNotPassed(TASK_RECORD_REJECTION_BY_APPROVER, EVENT_RESIZE_NOT_APPROVED);
        Assertions.assertThat(historicVariable(pi, VAR_APPROVAL_COMMENT)).isEqualTo("ok, the pool has room");
        Assertions.assertThat(delegates.recordApproverRejection.calls()).isZero();
        Assertions.assertThat(delegates.releaseLock.calls()).isEqualTo(1);
    }

    @Test
    void rejectedResizeReleasesTheLockAndEndsNotApprovedWithoutTouchingTheStorage() {
        delegates.givenValidRequest("vm-1").givenApprovalNeeded();

        ProcessInstance pi = resizeWaitingForApproval();
        complete(task(pi), withVariables(VAR_APPROVED, false, VAR_APPROVAL_COMMENT, "use a new disk instead"));

        // nothing was changed, so there is nothing to undo: no job, no compensation
        assertThat(pi).isEnded().hasPassedInOrder(USER_TASK_APPROVE_RESIZE, GATEWAY_APPROVED,
            TASK_RECORD_REJECTION_BY_APPROVER, TASK_RELEASE_LOCK_AFTER_REJECTION, EVENT_RESIZE_NOT_APPROVED);
        assertThat(pi).hasNotPassed(TASK_RECORD_APPROVAL, GATEWAY_JOIN_APPROVAL, TASK_EXTEND_STORAGE,
            TASK_RECORD_REJECTION, TASK_RECORD_ROLLBACK);
        Assertions.assertThat(delegates.recordApproverRejection.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.releaseLock.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.extendStorage.calls()).isZero();
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        Assertions.assertThat(delegates.resizeVm.calls()).isZero();
        Assertions.assertThat(delegates.notifyGuest.calls()).isZero();
        Assertions.assertThat(delegates.recordRejection.calls()).isZero();
        Assertions.assertThat(historicVariable(pi, VAR_APPROVAL_COMMENT)).isEqualTo("use a new disk instead");
    }

    @Test
    void theRequesterCanNeitherClaimNorCompleteTheApprovalAndAnotherApproverStillCan() {
        delegates.givenValidRequest("vm-1").givenApprovalNeeded().givenRequestedBy("olga");

        ProcessInstance pi = resizeWaitingForApproval();
        Task task = task(pi);
        // the engine checks it for every way of completing the task, whatever the caller's groups
        authenticated("olga", () -> {
            assertThatThrownBy(() -> taskService().claim(task.getId(), "olga"))
                .isInstanceOf(AuthorizationException.class).isInstanceOf(ApprovalRefusedException.class)
                .hasMessageContaining("four eyes");
            assertThatThrownBy(() -> taskService().complete(task.getId(), withVariables(VAR_APPROVED, true)))
                .isInstanceOf(ApprovalRefusedException.class).hasMessageContaining("olga requested it");
            assertThatThrownBy(() -> formService().submitTaskForm(task.getId(), withVariables(VAR_APPROVED, true)))
                .isInstanceOf(ApprovalRefusedException.class);
        });

        // rolled back: the task is open and unclaimed, the decision variable never written, nothing passed
        Assertions.assertThat(taskService().createTaskQuery().taskId(task.getId()).singleResult().getAssignee()).isNull();
        assertThat(pi).isWaitingAt(USER_TASK_APPROVE_RESIZE).hasNotPassed(GATEWAY_APPROVED);
        Assertions.assertThat(runtimeService().getVariable(pi.getId(), VAR_APPROVED)).isNull();
        Assertions.assertThat(delegates.recordApproval.calls()).isZero();
        Assertions.assertThat(delegates.extendStorage.calls()).isZero();

        authenticated("paul", () -> {
            taskService().claim(task.getId(), "paul");
            taskService().complete(task.getId(), withVariables(VAR_APPROVED, true));
        });
        assertThat(pi).isWaitingAt(TASK_EXTEND_STORAGE).hasPassedInOrder(USER_TASK_APPROVE_RESIZE, TASK_RECORD_APPROVAL);
        Mockito.verify(delegates.fourEyes).checkAssignee(pi.getId(), "paul");
        Mockito.verify(delegates.fourEyes).checkApprover(pi.getId(), "paul");
    }

    /** Runs engine calls as this user, as Tasklist and engine-rest do for theirs. */
    private static void authenticated(String user, Runnable calls) {
        identityService().setAuthentication(user, java.util.List.of("disk-approvers", "camunda-admin"));
        try {
            calls.run();
        } finally {
            identityService().clearAuthentication();
        }
    }

    @Test
    void completingTheApprovalWithoutADecisionFailsAndTheTaskStays() {
        delegates.givenValidRequest("vm-1").givenApprovalNeeded();

        ProcessInstance pi = resizeWaitingForApproval();
        Task task = task(pi);
        // the form makes the decision required; a REST client that leaves it out gets an error, not a default
        assertThatThrownBy(() -> complete(task, withVariables(VAR_APPROVAL_COMMENT, "hmm")))
            .hasMessageContaining(VAR_APPROVED);

        assertThat(pi).isWaitingAt(USER_TASK_APPROVE_RESIZE);
        Assertions.assertThat(delegates.recordApproval.calls()).isZero();
        Assertions.assertThat(delegates.recordApproverRejection.calls()).isZero();
        Assertions.assertThat(delegates.releaseLock.calls()).isZero();
    }

    // ================================================================ roll back (no VM saw the new size)

    @Test
    void failedStorageJobShrinksTheStorageBackAndEndsRolledBack() {
        delegates.givenValidRequest("vm-1")
            .givenStorageJobFails(0, "STORAGE_JOB_FAILED", "lvextend: insufficient free space");

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check: failed

        // the undo runs in its own job, so a failing shrink is retried without re-checking
        assertThat(pi).isWaitingAt(EVENT_UNDO_AFTER_STORAGE_FAILURE);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        executeJob(pi);

        assertThat(pi).isEnded().hasPassedInOrder(TASK_EXTEND_STORAGE, TASK_CHECK_STORAGE_JOB,
            EVENT_STORAGE_JOB_FAILED, EVENT_UNDO_AFTER_STORAGE_FAILURE, TASK_SHRINK_STORAGE_BACK,
            TASK_RECORD_ROLLBACK, TASK_RELEASE_LOCK_AFTER_ROLLBACK, EVENT_RESIZE_ROLLED_BACK);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.releaseLock.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.resizeVm.calls()).isZero();
        Assertions.assertThat(delegates.notifyGuest.calls()).isZero();
        Assertions.assertThat(delegates.recordResult.calls()).isZero();
        Assertions.assertThat(historicVariable(pi, VAR_ERROR_CODE)).isEqualTo("STORAGE_JOB_FAILED");
    }

    @Test
    void timedOutStorageJobIsRolledBackTheSameWayWithItsOwnErrorCode() {
        delegates.givenValidRequest("vm-1")
            .givenStorageJobFails(1, "STORAGE_JOB_TIMED_OUT", "no progress for 10 minutes");

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check: RUNNING
        executeJob(pi); // timer
        executeJob(pi); // check: timed out
        executeJob(pi); // undo

        assertThat(pi).isEnded().hasPassedInOrder(EVENT_POLL_INTERVAL, TASK_CHECK_STORAGE_JOB,
            EVENT_STORAGE_JOB_FAILED, TASK_SHRINK_STORAGE_BACK, TASK_RECORD_ROLLBACK, EVENT_RESIZE_ROLLED_BACK);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isEqualTo(1);
        Assertions.assertThat(historicVariable(pi, VAR_ERROR_CODE)).isEqualTo("STORAGE_JOB_TIMED_OUT");
        Assertions.assertThat(historicVariable(pi, VAR_ERROR_MESSAGE)).isEqualTo("no progress for 10 minutes");
    }

    @Test
    void firstVmRefusingTheResizeIsRolledBackBecauseNoGuestSawTheNewSize() {
        delegates.givenValidRequest("vm-1", "vm-2").givenVmResults(Map.of("vm-1", "fail"));

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check
        executeJob(pi); // vm-1: refused
        assertThat(pi).isWaitingAt(EVENT_UNDO_AFTER_VM_FAILURE);
        executeJob(pi); // undo

        assertThat(pi).isEnded().hasPassedInOrder(TASK_RESIZE_VM, EVENT_VM_RESIZE_FAILED, GATEWAY_ANY_VM_RESIZED,
            EVENT_UNDO_AFTER_VM_FAILURE, TASK_SHRINK_STORAGE_BACK, TASK_RECORD_ROLLBACK,
            TASK_RELEASE_LOCK_AFTER_ROLLBACK, EVENT_RESIZE_ROLLED_BACK);
        // vm-2 is never visited once vm-1 failed, and no guest is told about a size that was undone
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1");
        Assertions.assertThat(delegates.guestCalls).isEmpty();
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.recordNeedsAttention.calls()).isZero();
        Assertions.assertThat(historicVariable(pi, VAR_ERROR_CODE)).isEqualTo("VM_STATE");
    }

    // ================================================================ roll forward (a VM saw the new size)

    private ProcessInstance secondVmFailsAfterTheFirstWasResized() {
        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check
        executeJob(pi); // vm-1: resized
        executeJob(pi); // vm-2: refused
        assertThat(pi).isWaitingAt(USER_TASK_RESOLVE_VM_FAILURE)
            .hasPassedInOrder(TASK_RESIZE_VM, EVENT_VM_RESIZE_FAILED, GATEWAY_ANY_VM_RESIZED,
                TASK_RECORD_NEEDS_ATTENTION);
        Task task = task(pi);
        assertThat(task).hasCandidateGroup("disk-operators").hasCandidateGroup("camunda-admin");
        // Tasklist finds the deployed needs-attention form through the task's formRef
        Assertions.assertThat(read(formService().getDeployedTaskForm(task.getId())))
            .contains("\"id\": \"needs-attention\"");
        return pi;
    }

    @Test
    void secondVmFailingAfterTheFirstNeedsAnOperatorWhoRetriesTheRemainingVms() {
        delegates.givenValidRequest("vm-1", "vm-2").givenVmResults(Map.of("vm-2", "fail-once"));

        ProcessInstance pi = secondVmFailsAfterTheFirstWasResized();
        complete(task(pi), withVariables(VAR_OPERATOR_DECISION, DECISION_RETRY));
        Assertions.assertThat(delegates.operatorDecisions).as("recorded for the audit").containsExactly(DECISION_RETRY);

        // the VM step starts over in its own jobs; the real delegate skips a VM that has the size
        assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
        executeJob(pi);
        executeJob(pi);
        // the guests are told once, after the retried VM step
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST);
        executeJob(pi);
        executeJob(pi);

        assertThat(pi).isEnded().hasPassedInOrder(USER_TASK_RESOLVE_VM_FAILURE, GATEWAY_OPERATOR_DECISION,
            TASK_RESIZE_VM, TASK_NOTIFY_GUEST, TASK_RECORD_RESULT, TASK_RELEASE_LOCK, EVENT_RESIZE_COMPLETED);
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1", "vm-2", "vm-1", "vm-2");
        Assertions.assertThat(delegates.guestCalls).containsExactly("vm-1", "vm-2");
        // rolled forward: the storage is never shrunk once a guest saw the new size
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        Assertions.assertThat(delegates.recordRollback.calls()).isZero();
        Assertions.assertThat(delegates.recordNeedsAttention.calls()).isEqualTo(1);
    }

    @Test
    void secondVmFailingAfterTheFirstCanBeFinishedWithAWarning() {
        delegates.givenValidRequest("vm-1", "vm-2").givenVmResults(Map.of("vm-2", "fail"));

        ProcessInstance pi = secondVmFailsAfterTheFirstWasResized();
        complete(task(pi), withVariables(VAR_OPERATOR_DECISION, DECISION_FINISH, "resolutionComment", "vm-2 restarted"));
        Assertions.assertThat(delegates.operatorDecisions).as("recorded for the audit").containsExactly(DECISION_FINISH);

        // finishing goes on to the guest step (its own jobs): the guest of vm-1 has the new size and
        // is told; vm-2 is visited too, and the real delegate skips it (it did not take the new size)
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST);
        Assertions.assertThat(delegates.recordResult.calls()).isZero();
        executeJob(pi);
        executeJob(pi);

        assertThat(pi).isEnded().hasPassedInOrder(USER_TASK_RESOLVE_VM_FAILURE, GATEWAY_OPERATOR_DECISION,
            GATEWAY_JOIN_RESULT, TASK_NOTIFY_GUEST, TASK_RECORD_RESULT, TASK_RELEASE_LOCK, EVENT_RESIZE_COMPLETED);
        assertThat(pi).variables().contains(entry(VAR_ERROR_CODE, "VM_STATE"), entry(VAR_VMS_RESIZED, 1),
            entry(VAR_OPERATOR_DECISION, DECISION_FINISH));
        Assertions.assertThat(delegates.trail)
            .containsExactly("vm:vm-1", "vm:vm-2", "guest:vm-1", "guest:vm-2", "result");
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1", "vm-2");
        Assertions.assertThat(delegates.recordResult.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.releaseLock.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
    }

    // ================================================================ transient failures

    @Test
    void transientVmFailureIsRetriedWithBackoffAndNeverCompensated() {
        delegates.givenValidRequest("vm-1").givenVmResults(Map.of("vm-1", "transient-once"));

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check
        Job vmJob = job(pi);
        assertThatThrownBy(() -> execute(vmJob)).hasMessageContaining("connection");

        // PT1S,PT5S,PT15S,PT30S: after the first try four retries are left, the next one in 1 s
        Job failed = managementService().createJobQuery().jobId(vmJob.getId()).singleResult();
        Assertions.assertThat(failed.getRetries()).isEqualTo(4);
        Assertions.assertThat(failed.getDuedate().toInstant()).isEqualTo(NOW.plus(Duration.ofSeconds(1)));
        Assertions.assertThat(failed.getExceptionMessage()).contains("connection");
        assertThat(pi).isWaitingAt(TASK_RESIZE_VM).hasNotPassed(EVENT_VM_RESIZE_FAILED);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();

        // the retry succeeds and the resize completes as if nothing happened
        execute(failed);
        executeJob(pi); // tell the guest
        assertThat(pi).isEnded().hasPassed(EVENT_RESIZE_COMPLETED).hasNotPassed(TASK_SHRINK_STORAGE_BACK);
        Assertions.assertThat(historicVariable(pi, VAR_VMS_RESIZED)).isEqualTo(1);
    }

    @Test
    void vmFailureThatOutlastsEveryRetryBecomesAnIncidentAndIsStillNotCompensated() {
        delegates.givenValidRequest("vm-1").givenVmResults(Map.of("vm-1", "transient"));

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check
        Job vmJob = job(pi);
        for (int attempt = 1; attempt <= 5; attempt++) { // the first try and four retries
            assertThatThrownBy(() -> execute(managementService().createJobQuery().jobId(vmJob.getId()).singleResult()))
                .hasMessageContaining("connection");
        }

        Assertions.assertThat(managementService().createJobQuery().jobId(vmJob.getId()).singleResult().getRetries())
            .isZero();
        Assertions.assertThat(runtimeService().createIncidentQuery().processInstanceId(pi.getId()).list())
            .singleElement().satisfies(incident -> Assertions.assertThat(incident.getActivityId()).isEqualTo(TASK_RESIZE_VM));
        assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1", "vm-1", "vm-1", "vm-1", "vm-1");
    }

    @Test
    void failingGuestStepIsRetriedInItsOwnJobAndNeverUndoesTheResize() {
        delegates.givenValidRequest("vm-1", "vm-2").givenGuestResults(Map.of("vm-1", "transient-once"));

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check
        executeJob(pi); // vm-1
        executeJob(pi); // vm-2
        Job guestJob = job(pi);
        assertThatThrownBy(() -> execute(guestJob)).hasMessageContaining("guest agent channel");

        // PT1S,PT5S,PT15S,PT30S: four retries left, the next in 1 s; only this guest's step is redone
        Job failed = managementService().createJobQuery().jobId(guestJob.getId()).singleResult();
        Assertions.assertThat(failed.getRetries()).isEqualTo(4);
        Assertions.assertThat(failed.getDuedate().toInstant()).isEqualTo(NOW.plus(Duration.ofSeconds(1)));
        Assertions.assertThat(failed.getExceptionMessage()).contains("guest agent channel");
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST).hasNotPassed(TASK_RECORD_RESULT);
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1", "vm-2");

        execute(failed);
        executeJob(pi); // vm-2's guest
        assertThat(pi).isEnded().hasPassed(EVENT_RESIZE_COMPLETED)
            .hasNotPassed(EVENT_VM_RESIZE_FAILED, GATEWAY_ANY_VM_RESIZED, TASK_SHRINK_STORAGE_BACK, TASK_RECORD_ROLLBACK);
        Assertions.assertThat(delegates.guestCalls).containsExactly("vm-1", "vm-1", "vm-2");
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1", "vm-2");
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        Assertions.assertThat(delegates.recordResult.calls()).isEqualTo(1);
    }

    @Test
    void guestStepThatOutlastsEveryRetryIsAnIncidentAtTheGuestStepAndNothingIsUndone() {
        delegates.givenValidRequest("vm-1").givenGuestResults(Map.of("vm-1", "transient"));

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check
        executeJob(pi); // vm-1
        Job guestJob = job(pi);
        for (int attempt = 1; attempt <= 5; attempt++) { // the first try and four retries
            assertThatThrownBy(() -> execute(managementService().createJobQuery().jobId(guestJob.getId()).singleResult()))
                .hasMessageContaining("guest agent channel");
        }

        Assertions.assertThat(runtimeService().createIncidentQuery().processInstanceId(pi.getId()).list())
            .singleElement().satisfies(incident -> Assertions.assertThat(incident.getActivityId()).isEqualTo(TASK_NOTIFY_GUEST));
        // the resize itself is done and stays done: an operator retries the incident in Cockpit
        assertThat(pi).isWaitingAt(TASK_NOTIFY_GUEST).hasNotPassed(TASK_SHRINK_STORAGE_BACK, TASK_RECORD_ROLLBACK,
            EVENT_VM_RESIZE_FAILED);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isZero();
        Assertions.assertThat(delegates.vmCalls).containsExactly("vm-1");
        Assertions.assertThat(delegates.guestCalls).containsExactly("vm-1", "vm-1", "vm-1", "vm-1", "vm-1");
    }

    @Test
    void failingShrinkIsRetriedInTheUndoJobWithoutCheckingTheStorageJobAgain() {
        delegates.givenValidRequest("vm-1")
            .givenStorageJobFails(0, "STORAGE_JOB_FAILED", "lvextend: insufficient free space");
        boolean[] shrinkFailed = {false};
        delegates.shrinkStorageBack.does(execution -> {
            if (!shrinkFailed[0]) {
                shrinkFailed[0] = true;
                throw new IllegalStateException("libvirt connection to the storage host lost");
            }
        });

        ProcessInstance pi = startResize();
        executeJob(pi); // extend
        executeJob(pi); // check: failed
        Job undo = job(pi);
        // the engine wraps it ("Error while handling compensation event ..."): the incident shows the wrapper
        assertThatThrownBy(() -> execute(undo)).hasRootCauseMessage("libvirt connection to the storage host lost");

        Job failed = managementService().createJobQuery().jobId(undo.getId()).singleResult();
        Assertions.assertThat(failed.getRetries()).isEqualTo(4);
        Assertions.assertThat(failed.getDuedate().toInstant()).isEqualTo(NOW.plus(Duration.ofSeconds(1)));
        assertThat(pi).isWaitingAt(EVENT_UNDO_AFTER_STORAGE_FAILURE).hasNotPassed(TASK_RECORD_ROLLBACK);

        execute(failed);
        assertThat(pi).isEnded().hasPassed(EVENT_RESIZE_ROLLED_BACK);
        Assertions.assertThat(delegates.shrinkStorageBack.calls()).isEqualTo(2);
        Assertions.assertThat(delegates.checkStorageJob.calls()).isEqualTo(1);
        Assertions.assertThat(delegates.releaseLock.calls()).isEqualTo(1);
    }

    // ================================================================ forms

    @Test
    void startFormIsDeployedWithTheDiagramAndFoundThroughTheStartEventsFormRef() {
        String definitionId = repositoryService().createProcessDefinitionQuery()
            .processDefinitionKey(PROCESS_KEY).singleResult().getId();

        Assertions.assertThat(read(formService().getDeployedStartForm(definitionId)))
            .contains("\"id\": \"resize-start\"");
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
