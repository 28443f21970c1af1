package org.vdresize.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;
import static org.vdresize.process.ResizeProcess.*;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * The storage job's end, delivered the BPMN way on the real diagram (mocked delegates, the plain
 * test engine): the message moves a waiting process to the check at once, and a process that does
 * not wait is left alone.
 */
@Deployment(resources = {
    "bpmn/virtual-disk-resize.bpmn", "forms/resize-start.form", "forms/needs-attention.form",
    "forms/approve-resize.form"})
class StorageJobEndMessageTest {

    /** the test engine's configuration records coverage, so its extension is needed; no coverage is asserted here */
    @RegisterExtension
    static final ProcessEngineCoverageExtension ENGINE = ProcessEngineCoverageExtension.builder()
        .configurationResource(VirtualDiskResizeProcessTest.ENGINE_CONFIGURATION)
        .build();

    /** the transactions the message asked for (the plain engine has its own; Spring's are what production uses) */
    private final List<Integer> propagations = new ArrayList<>();
    private StorageJobEndMessage message;
    private ResizeDelegates delegates;

    @BeforeEach
    void setUp() {
        ProcessEngine engine = ENGINE.getProcessEngine();
        BpmnAwareTests.init(engine);
        message = new StorageJobEndMessage(engine.getRuntimeService(), new AbstractPlatformTransactionManager() {
            @Override
            protected Object doGetTransaction() {
                return new Object();
            }

            @Override
            protected void doBegin(Object transaction, TransactionDefinition definition) {
                propagations.add(definition.getPropagationBehavior());
            }

            @Override
            protected void doCommit(DefaultTransactionStatus status) {
            }

            @Override
            protected void doRollback(DefaultTransactionStatus status) {
            }
        });
        delegates = new ResizeDelegates();
    }

    @AfterEach
    void tearDown() {
        Mocks.reset();
    }

    private ProcessInstance start() {
        return ENGINE.getProcessEngine().getRuntimeService().startProcessInstanceByKey(PROCESS_KEY, ResizeDelegates.DISK,
            withVariables(VAR_PATH, ResizeDelegates.DISK, VAR_SIZE, "20G", VAR_NOTIFY_GUEST, false, VAR_GROW_FILESYSTEM, false));
    }

    @Test
    void aJobThatEndsWhileTheProcessWaitsMovesItToTheCheckInItsOwnTransaction() {
        delegates.givenValidRequestPolledEvery("PT1H", "vm-1").givenStorageJobStates(STORAGE_JOB_RUNNING, STORAGE_JOB_DONE);
        ProcessInstance pi = start();
        execute(job(pi)); // extend
        execute(job(pi)); // check: RUNNING
        BpmnAwareTests.assertThat(pi).isWaitingAt(GATEWAY_WAIT_FOR_STORAGE_JOB);

        message.storageJobEnded(pi.getId());

        assertThat(propagations).containsExactly(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB).hasPassed(EVENT_STORAGE_JOB_ENDED);
        execute(job(pi)); // check: DONE
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_RESIZE_VM);
    }

    /** before the check's commit nobody waits for the message: nothing happens (the check tells again after its commit) */
    @Test
    void aJobThatEndsBeforeTheProcessWaitsChangesNothing() {
        delegates.givenValidRequest("vm-1");
        ProcessInstance pi = start();
        execute(job(pi)); // extend
        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB);

        message.storageJobEnded(pi.getId());

        BpmnAwareTests.assertThat(pi).isWaitingAt(TASK_CHECK_STORAGE_JOB).hasNotPassed(EVENT_STORAGE_JOB_ENDED);
    }
}
