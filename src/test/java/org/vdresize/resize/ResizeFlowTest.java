package org.vdresize.resize;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditService;
import org.vdresize.common.OperationFailedException;
import org.vdresize.config.Roles;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StoragePool;
import org.vdresize.inventory.VmState;
import org.vdresize.storage.StoragePort;
import org.vdresize.testsupport.FakeLibvirt;
import org.vdresize.vm.HypervisorPort;
import org.vdresize.guest.GuestStatus;
import org.vdresize.vm.VmDiskStatus;

/**
 * The whole application (engine, job executor, delegates, services, tables) with the three
 * libvirt ports replaced by scripted fakes that keep their own "disk" state: the wiring of every
 * step, the transactions, the lock race and the audit trail, in seconds. The same flows run
 * against real libvirt in the *IT tests.
 */
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:flow;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1073741824",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class ResizeFlowTest {

    static final long MIB = 1L << 20;
    static final String PATH = "/pool/d.img";

    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    /** these fake VMs have no guest agent: the guest step records NO_AGENT */
    @MockitoBean GuestAgentPort guestAgent;
    @Autowired ResizeService resizes;
    @Autowired AuditService audit;
    @Autowired RuntimeService runtime;
    @Autowired JdbcTemplate jdbc;
    @Autowired org.camunda.bpm.engine.TaskService tasks;
    @Autowired org.camunda.bpm.engine.IdentityService identity;
    @Autowired io.micrometer.core.instrument.MeterRegistry meters;
    @Autowired org.springframework.transaction.PlatformTransactionManager transactionManager;

    FakeLibvirt libvirt;

    /**
     * Camunda's authorization checks are on (as in application.yml): the users who start resizes
     * here are operators, the one who decides approvals an approver, so the engine lets them.
     */
    @BeforeEach
    void users() {
        for (String user : List.of("alice", "bob", "racer", "carol")) {
            if (identity.createUserQuery().userId(user).count() == 0) {
                identity.saveUser(identity.newUser(user));
                identity.createMembership(user, user.equals("carol") ? Roles.APPROVERS : Roles.OPERATORS);
            }
        }
    }

    @BeforeEach
    void world() {
        reset(inventory, storage, hypervisor, guestAgent);
        libvirt = FakeLibvirt.stub(inventory, storage, hypervisor, guestAgent);
        libvirt.volume("d", 64 * MIB);
        jdbc.update("delete from vdr_disk_lock");
    }

    /** the disk's qcow2 (a volume of the same size) */
    void qcow2() {
        libvirt.volume("d", 64 * MIB, "qcow2");
    }

    void runningVm(String name) {
        libvirt.add(name, VmState.RUNNING, true, libvirt.vdb(PATH, true, null));
    }

    /** a running VM whose domain XML has no guest agent channel (org.qemu.guest_agent.0) */
    void runningVmWithoutAgentChannel(String name) {
        libvirt.add(name, VmState.RUNNING, false, libvirt.vdb(PATH, true, null));
    }

    /** the jobs of the resize's instance that committed (the engine's job log, history level full) */
    long committedJobs(String resizeId) {
        return history.createHistoricJobLogQuery().processInstanceId(resizeId).successLog().count();
    }

    static ResizeRequest byPath(Object size) {
        return new ResizeRequest(null, null, null, null, PATH, size, null, null, "test");
    }

    /** The resize once it is final or NEEDS_ATTENTION. */
    ResizeView awaitEnd(String id) {
        return await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> resizes.find(id).orElseThrow(),
                        view -> view.status().isFinal() || view.status() == ResizeStatus.NEEDS_ATTENTION);
    }

    List<String> auditTypes(String id) {
        return audit.forResize(id).stream().map(AuditEvent::type).toList();
    }

    // ---- metrics: counted after the commit of the step that wrote the final status -------------

    double resizesTotal(ResizeStatus outcome) {
        return meters.get("vdresize.resizes").tag("outcome", outcome.name()).counter().count();
    }

    long durationCount(ResizeStatus outcome) {
        return meters.get("vdresize.resize.duration").tag("outcome", outcome.name()).timer().count();
    }

    /** The database shows the status at commit; the listener counts a moment later, on the job's thread. */
    void awaitResizesTotal(ResizeStatus outcome, double expected) {
        await().pollInSameThread().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> resizesTotal(outcome) >= expected);
        assertThat(resizesTotal(outcome)).as("vdresize_resizes_total{outcome=%s}", outcome).isEqualTo(expected);
    }

    @Test
    void aCompletedResizeIsCountedOnceWithItsDurationAndItsStorageJob() throws Exception {
        runningVm("vm1");
        double completed = resizesTotal(ResizeStatus.COMPLETED);
        long timed = durationCount(ResizeStatus.COMPLETED);
        double rolledBack = resizesTotal(ResizeStatus.ROLLED_BACK);
        io.micrometer.core.instrument.Timer jobs = meters.find("vdresize.storage.job.duration")
                .tags("mode", "RESIZE", "outcome", "DONE").timer();
        long jobsBefore = jobs == null ? 0 : jobs.count();

        ResizeView done = awaitEnd(resizes.start(byPath("+16M"), "alice").id());

        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        awaitResizesTotal(ResizeStatus.COMPLETED, completed + 1);
        assertThat(durationCount(ResizeStatus.COMPLETED)).isEqualTo(timed + 1);
        assertThat(meters.get("vdresize.resize.duration").tag("outcome", "COMPLETED").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isPositive();
        assertThat(resizesTotal(ResizeStatus.ROLLED_BACK)).isEqualTo(rolledBack);
        assertThat(meters.get("vdresize.storage.job.duration").tags("mode", "RESIZE", "outcome", "DONE").timer().count())
                .isEqualTo(jobsBefore + 1);
    }

    @Test
    void anEndingWhoseTransactionRollsBackIsNeverCounted() throws Exception {
        double completed = resizesTotal(ResizeStatus.COMPLETED);
        double rejected = resizesTotal(ResizeStatus.REJECTED);

        // a no-op completes inside the starting transaction; here that transaction rolls back
        new org.springframework.transaction.support.TransactionTemplate(transactionManager).executeWithoutResult(tx -> {
            assertThat(resizes.start(byPath("64M"), "bob").status()).isEqualTo(ResizeStatus.COMPLETED);
            tx.setRollbackOnly();
        });
        // a start through the engine commits its rejection
        runtime.startProcessInstanceByKey("virtual-disk-resize", Map.of("path", PATH, "size", "lots"));

        awaitResizesTotal(ResizeStatus.REJECTED, rejected + 1);
        assertThat(resizesTotal(ResizeStatus.COMPLETED)).as("the rolled-back completion").isEqualTo(completed);
        // committed the same way and now: a no-op counts as COMPLETED
        assertThat(resizes.start(byPath("64M"), "bob").noop()).isTrue();
        awaitResizesTotal(ResizeStatus.COMPLETED, completed + 1);
    }

    @Test
    void aRolledBackResizeIsCountedAndOpenResizesAreGaugedByStatus() throws Exception {
        double rolledBack = resizesTotal(ResizeStatus.ROLLED_BACK);
        doThrow(new OperationFailedException("no space left on device"))
                .when(storage).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        runningVm("vm1");
        assertThat(awaitEnd(resizes.start(byPath("+16M"), "bob").id()).status()).isEqualTo(ResizeStatus.ROLLED_BACK);
        awaitResizesTotal(ResizeStatus.ROLLED_BACK, rolledBack + 1);

        ResizeView waiting = awaitStatus(resizes.start(byPath("+2G"), "bob").id(), ResizeStatus.WAITING_FOR_APPROVAL);
        assertThat(meters.get("vdresize.resizes.in.progress").tag("status", "WAITING_FOR_APPROVAL").gauge().value())
                .isEqualTo(jdbc.queryForObject("select count(*) from vdr_resize where status = 'WAITING_FOR_APPROVAL'",
                        Double.class)).isGreaterThanOrEqualTo(1);
        runtime.deleteProcessInstance(waiting.id(), "test cleanup");
    }

    @Test
    void rawDiskSharedByTwoRunningVmsGrowsInStorageAndInBothVms() throws Exception {
        runningVm("vm1");
        runningVm("vm2");

        ResizeView started = resizes.start(byPath("+16M"), "alice");
        assertThat(started.status()).isEqualTo(ResizeStatus.RUNNING);
        ResizeView done = awaitEnd(started.id());

        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(done.oldSize()).isEqualTo(64 * MIB);
        assertThat(done.newSize()).isEqualTo(80 * MIB);
        assertThat(libvirt.capacity(PATH)).isEqualTo(80 * MIB);
        assertThat(libvirt.qemuCapacity("vm1-uuid")).isEqualTo(80 * MIB);
        assertThat(libvirt.qemuCapacity("vm2-uuid")).isEqualTo(80 * MIB);
        assertThat(done.vms()).extracting(ResizeView.VmOutcome::status).containsExactly(VmDiskStatus.RESIZED, VmDiskStatus.RESIZED);
        assertThat(done.requestedBy()).isEqualTo("alice");
        assertThat(done.steps()).extracting(ResizeView.Step::name).contains("VALIDATE", "LOCK_DISK", "STORAGE_EXTEND",
                "STORAGE_CHECK", "VM_RESIZE", "RECORD_RESULT", "RELEASE_LOCK");
        assertThat(done.guest()).extracting(ResizeView.GuestOutcome::status).containsExactly(GuestStatus.NO_AGENT, GuestStatus.NO_AGENT);
        assertThat(auditTypes(done.id())).containsExactly("RESIZE_REQUESTED", "STORAGE_EXTENDED", "VM_DISK_RESIZED",
                "VM_DISK_RESIZED", "GUEST_NOTIFY_FAILED", "GUEST_NOTIFY_FAILED", "RESIZE_COMPLETED");
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock", Integer.class)).isZero();
        assertThat(runtime.createProcessInstanceQuery().processInstanceId(done.id()).count()).isZero();
    }

    @Test
    void qcow2HeldByARunningQemuIsGrownByQemuOnly() throws Exception {
        qcow2();
        runningVm("vm1");
        ResizeView done = awaitEnd(resizes.start(byPath("1G"), "bob").id());
        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        verify(storage, never()).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        verify(hypervisor).blockResize("local", "vm1-uuid", "vdb", 1L << 30);
        assertThat(auditTypes(done.id())).containsExactly("RESIZE_REQUESTED", "VM_DISK_RESIZED", "GUEST_NOTIFY_FAILED",
                "RESIZE_COMPLETED");
    }

    /**
     * The request people send most (notifyGuest by default) for a running VM without an agent: QEMU
     * grows the qcow2 (no storage check), and the missing channel is known at validation (no guest
     * job). Two committed jobs (storage step, VM step); issue 14 allows at most three.
     */
    @Test
    void onlineQcow2ResizeOfAVmWithoutAgentChannelCommitsTwoJobsAndRecordsNoAgent() throws Exception {
        qcow2();
        runningVmWithoutAgentChannel("vm1");

        ResizeView done = awaitEnd(resizes.start(byPath("+16M"), "bob").id());

        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(committedJobs(done.id())).as("committed jobs").isEqualTo(2);
        assertThat(done.steps()).extracting(ResizeView.Step::name).doesNotContain("STORAGE_CHECK", "GUEST_NOTIFY")
                .contains("STORAGE_EXTEND", "VM_RESIZE");
        assertThat(done.guest()).extracting(ResizeView.GuestOutcome::status).containsExactly(GuestStatus.NO_AGENT);
        verify(guestAgent, never()).command(anyString(), anyString(), anyString(), org.mockito.ArgumentMatchers.anyInt());
        assertThat(auditTypes(done.id())).containsExactly("RESIZE_REQUESTED", "VM_DISK_RESIZED", "GUEST_NOTIFY_FAILED",
                "RESIZE_COMPLETED");
    }

    /**
     * A storage job that outlasts its first check: the process waits at the event-based gateway
     * (step STORAGE_POLL_WAIT) until the job's end (the message, correlated in its own transaction)
     * or the poll interval, whichever comes first, and completes once the job is done.
     */
    @Test
    void aStorageJobThatOutlastsItsFirstCheckIsWaitedForAndTheResizeCompletes() throws Exception {
        runningVm("vm1");
        CountDownLatch release = growOnlyWhenReleased();

        String id = resizes.start(byPath("+16M"), "alice").id();
        awaitTheWaitForTheStorageJob(id);
        release.countDown();
        ResizeView done = awaitEnd(id);

        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        // a wait that its message or timer ended is done, not failed (the engine cancels the gateway's other event)
        assertThat(done.steps()).filteredOn(step -> step.name().equals("STORAGE_POLL_WAIT")).isNotEmpty()
                .allSatisfy(step -> assertThat(step.endedAt()).isNotNull())
                .allSatisfy(step -> assertThat(step.status()).isEqualTo(StepState.DONE));
        assertThat(auditTypes(done.id())).containsSubsequence("STORAGE_EXTENDED", "VM_DISK_RESIZED", "RESIZE_COMPLETED");
    }

    /** The disk's storage grow blocks until the returned latch is counted down (at most 20 s). */
    CountDownLatch growOnlyWhenReleased() {
        CountDownLatch release = new CountDownLatch(1);
        doAnswer(i -> {
            release.await(20, TimeUnit.SECONDS);
            libvirt.setCapacity(PATH, i.getArgument(3));
            return null;
        }).when(storage).grow(eq("local"), eq("p"), eq("d.img"), anyLong(), anyBoolean());
        return release;
    }

    /** Until the resize waits at the event-based gateway for its storage job's end (the message). */
    void awaitTheWaitForTheStorageJob(String id) {
        await("waiting for the storage job's end").pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> runtime.createEventSubscriptionQuery().processInstanceId(id).eventType("message")
                        .eventName(org.vdresize.process.ResizeProcess.MESSAGE_STORAGE_JOB_ENDED).count() == 1);
    }

    @Test
    void aStartIsValidatedAgainstLibvirtOnceAndWithoutNotifyGuestHasNoGuestStep() throws Exception {
        runningVm("vm1");
        // earlier tests' resizes of this disk ended long ago (one that ended during a validation makes it redone)
        jdbc.update("update vdr_resize set ended_at = ? where disk_path = ? and ended_at is not null",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(3600)), PATH);
        ResizeRequest quiet = new ResizeRequest(null, null, null, null, PATH, "+16M", false, null, "test");
        ResizeView done = awaitEnd(resizes.start(quiet, "bob").id());
        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        // findPool is asked by the rules only: the process's validation step took the REST layer's result
        verify(inventory, times(1)).findPool("p");
        assertThat(done.steps()).extracting(ResizeView.Step::name).doesNotContain("GUEST_NOTIFY").contains("VM_RESIZE");
        assertThat(auditTypes(done.id())).containsExactly("RESIZE_REQUESTED", "STORAGE_EXTENDED", "VM_DISK_RESIZED",
                "RESIZE_COMPLETED");
    }

    @Test
    void aValidationThatAnotherResizeOfTheDiskOutlivedIsDoneAgainInTheProcess() throws Exception {
        runningVm("vm1");
        ResizeView first = awaitEnd(resizes.start(byPath("+16M"), "bob").id());
        clearInvocations(inventory);
        // while the REST layer validates the next request, the first one "ends" (as one on another node
        // could, freeing the lock before this start takes it): what the validation saw may be stale
        when(inventory.findPool("p")).thenAnswer(i -> {
            jdbc.update("update vdr_resize set ended_at = ? where id = ?",
                    java.sql.Timestamp.from(java.time.Instant.now().plusMillis(5)), first.id());
            return Optional.of(new StoragePool("local", "p", "dir", "/pool", 1L << 40, 0, 1L << 40));
        });
        ResizeView second = awaitEnd(resizes.start(byPath("+16M"), "bob").id());
        assertThat(second.status()).isEqualTo(ResizeStatus.COMPLETED);
        verify(inventory, times(2)).findPool("p"); // the REST layer's validation, then the process's own
    }

    @Test
    void sameSizeIsANoopThatCompletesAtOnce() {
        ResizeView view = resizes.start(byPath("64M"), "bob");
        assertThat(view.status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(view.noop()).isTrue();
        verify(storage, never()).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
    }

    @Test
    void aRejectionOfADiskNamedByVmAndTargetIsAuditedUnderItsPath() {
        runningVm("vm1");
        assertThatThrownBy(() -> resizes.start(new ResizeRequest("vm1", "vdb", null, null, null, "32M", null, null, "x"), "bob"))
                .isInstanceOfSatisfying(ResizeRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo(RejectionCode.SHRINK_NOT_SUPPORTED);
                    assertThat(e.diskPath()).isEqualTo(PATH);
                });
        AuditEvent rejected = audit.query(PATH, null, null).get(audit.query(PATH, null, null).size() - 1);
        assertThat(rejected.type()).isEqualTo("RESIZE_REJECTED");
        assertThat(rejected.vm()).isEqualTo("vm1");
        // before the disk is found there is no path: the request's own words
        assertThatThrownBy(() -> resizes.start(new ResizeRequest("vm1", "vdz", null, null, null, "1G", null, null, "x"), "bob"))
                .isInstanceOfSatisfying(ResizeRejectedException.class, e -> assertThat(e.diskPath()).isNull());
        assertThat(audit.query("vm1:vdz", null, null)).extracting(AuditEvent::type).contains("RESIZE_REJECTED");
    }

    @Test
    void aRejectedRequestLeavesNoInstanceNoRowAndNoLock() {
        long instances = runtime.createProcessInstanceQuery().count();
        long rejectedRows = resizes.list(ResizeStatus.REJECTED, PATH, null, null, 1000).items().size();
        assertThatThrownBy(() -> resizes.start(byPath("32M"), "bob"))
                .isInstanceOfSatisfying(ResizeRejectedException.class,
                        e -> assertThat(e.code()).isEqualTo(RejectionCode.SHRINK_NOT_SUPPORTED));
        assertThat(runtime.createProcessInstanceQuery().count()).isEqualTo(instances);
        assertThat(resizes.list(ResizeStatus.REJECTED, PATH, null, null, 1000).items()).hasSize((int) rejectedRows);
        assertThat(audit.query(PATH, null, null)).last().extracting(AuditEvent::type).isEqualTo("RESIZE_REJECTED");
    }

    @Test
    void aStartThroughTheEngineWithBadInputEndsRejectedWithTheCode() {
        String id = runtime.startProcessInstanceByKey("virtual-disk-resize", Map.of("path", PATH, "size", "lots")).getId();
        ResizeView view = resizes.find(id).orElseThrow();
        assertThat(view.status()).isEqualTo(ResizeStatus.REJECTED);
        assertThat(view.error().code()).isEqualTo("INVALID_SIZE");
        assertThat(auditTypes(id)).containsExactly("RESIZE_REJECTED");
    }

    @Test
    void aFailedStorageJobRollsBackAndFreesTheDisk() throws Exception {
        doThrow(new OperationFailedException("no space left on device"))
                .when(storage).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        runningVm("vm1");
        ResizeView done = awaitEnd(resizes.start(byPath("+16M"), "bob").id());
        assertThat(done.status()).isEqualTo(ResizeStatus.ROLLED_BACK);
        assertThat(done.error().code()).isEqualTo("STORAGE_JOB_FAILED");
        assertThat(done.error().message()).contains("no space left");
        assertThat(libvirt.capacity(PATH)).isEqualTo(64 * MIB);
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), anyLong());
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock", Integer.class)).isZero();
        assertThat(auditTypes(done.id())).containsExactly("RESIZE_REQUESTED", "STORAGE_ROLLED_BACK", "RESIZE_ROLLED_BACK");
    }

    @Test
    void theFirstVmRefusingRollsTheStorageBackToTheExactOldSize() throws Exception {
        runningVm("vm1");
        doThrow(new OperationFailedException("block resize not supported"))
                .when(hypervisor).blockResize(anyString(), anyString(), anyString(), anyLong());
        ResizeView done = awaitEnd(resizes.start(byPath("+16M"), "bob").id());
        assertThat(done.status()).isEqualTo(ResizeStatus.ROLLED_BACK);
        assertThat(done.error().code()).isEqualTo("VM_RESIZE_FAILED");
        verify(storage, times(1)).shrinkBack("local", "p", "d.img", 64 * MIB);
        assertThat(libvirt.capacity(PATH)).isEqualTo(64 * MIB);
        assertThat(done.vms()).extracting(ResizeView.VmOutcome::status).containsExactly(VmDiskStatus.FAILED);
    }

    @Test
    void aSecondVmRefusingAfterTheFirstSawTheSizeNeedsAPersonAndNeverShrinks() throws Exception {
        runningVm("vm1");
        runningVm("vm2");
        libvirt.failBlockResize("vm2", new OperationFailedException("vm2 refused"));
        ResizeView view = awaitEnd(resizes.start(byPath("+16M"), "bob").id());
        assertThat(view.status()).isEqualTo(ResizeStatus.NEEDS_ATTENTION);
        verify(storage, never()).shrinkBack(anyString(), anyString(), anyString(), anyLong());
        assertThat(libvirt.capacity(PATH)).isEqualTo(80 * MIB);
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock", Integer.class)).as("still locked").isOne();
        runtime.deleteProcessInstance(view.id(), "test cleanup");
    }

    @Test
    void ofManySimultaneousRequestsForOneDiskExactlyOneStarts() throws Exception {
        runningVm("vm1");
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(pool.submit((Callable<Object>) () -> {
                go.await();
                try {
                    return resizes.start(byPath("+16M"), "racer");
                } catch (ResizeRejectedException e) {
                    return e.code();
                }
            }));
        }
        go.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> f : results) {
            outcomes.add(f.get());
        }
        pool.shutdown();
        assertThat(outcomes).filteredOn(ResizeView.class::isInstance).hasSize(1);
        assertThat(outcomes).filteredOn(RejectionCode.class::isInstance).containsOnly(RejectionCode.DISK_BUSY).hasSize(n - 1);
        ResizeView winner = (ResizeView) outcomes.stream().filter(ResizeView.class::isInstance).findFirst().orElseThrow();
        assertThat(awaitEnd(winner.id()).status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(libvirt.capacity(PATH)).isEqualTo(80 * MIB);
    }

    ResizeView awaitStatus(String id, ResizeStatus status) {
        return await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> resizes.find(id).orElseThrow(), view -> view.status() == status);
    }

    void decide(String resizeId, String user, boolean approved, String comment) {
        org.camunda.bpm.engine.task.Task task = tasks.createTaskQuery().processInstanceId(resizeId).singleResult();
        assertThat(task.getTaskDefinitionKey()).isEqualTo("UserTask_ApproveResize");
        assertThat(tasks.createTaskQuery().taskCandidateGroup("disk-approvers").processInstanceId(resizeId).count()).isOne();
        // as Tasklist does: the user with its groups, whose candidate-group grant lets it complete the task
        identity.setAuthentication(user, identity.createGroupQuery().groupMember(user).list().stream()
                .map(org.camunda.bpm.engine.identity.Group::getId).toList());
        try {
            tasks.complete(task.getId(), Map.of("approved", approved, "approvalComment", comment));
        } finally {
            identity.clearAuthentication();
        }
    }

    @Test
    void aGrowthAboveTheThresholdWaitsForAnApproverAndRecordsWhoApproved() throws Exception {
        runningVm("vm1");
        ResizeView waiting = awaitStatus(resizes.start(byPath("+2G"), "bob").id(), ResizeStatus.WAITING_FOR_APPROVAL);
        assertThat(waiting.status()).isEqualTo(ResizeStatus.WAITING_FOR_APPROVAL);
        verify(storage, never()).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());

        decide(waiting.id(), "carol", true, "pool has room");

        ResizeView done = awaitEnd(waiting.id());
        assertThat(done.status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(libvirt.capacity(PATH)).isEqualTo(64 * MIB + (2L << 30));
        List<AuditEvent> events = audit.forResize(done.id());
        assertThat(events).extracting(AuditEvent::type).startsWith("RESIZE_REQUESTED", "RESIZE_APPROVED");
        assertThat(events.get(1).user()).isEqualTo("carol");
        assertThat(events.get(1).detail()).contains("pool has room");
    }

    @Test
    void aReaderWaitingForAChangeIsAnsweredWhenItCommitsOrWhenItsWaitEnds() throws Exception {
        runningVm("vm1");
        ResizeView waiting = awaitStatus(resizes.start(byPath("+2G"), "bob").id(), ResizeStatus.WAITING_FOR_APPROVAL);

        // nothing changes: answered at the end of the wait, as it is
        long t0 = System.nanoTime();
        Optional<ResizeView> same = resizes.findWhenChanged(waiting.id(), java.time.Duration.ofMillis(600)).get(10, TimeUnit.SECONDS);
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(500L, 5_000L);
        assertThat(same).get().extracting(ResizeView::status).isEqualTo(ResizeStatus.WAITING_FOR_APPROVAL);

        // the approval changes it: answered with the new status, long before the wait ends
        java.util.concurrent.CompletableFuture<Optional<ResizeView>> change =
                resizes.findWhenChanged(waiting.id(), java.time.Duration.ofSeconds(60));
        assertThat(change).isNotDone();
        t0 = System.nanoTime();
        decide(waiting.id(), "carol", true, "go");
        ResizeView changed = change.get(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(changed.status()).isNotEqualTo(ResizeStatus.WAITING_FOR_APPROVAL);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(30_000L);

        // an ended resize never changes again: answered at once; an unknown one is empty
        ResizeView done = awaitEnd(waiting.id());
        assertThat(resizes.findWhenChanged(done.id(), java.time.Duration.ofSeconds(60)).getNow(null))
                .get().extracting(ResizeView::status).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(resizes.findWhenChanged("no-such-resize", java.time.Duration.ofSeconds(60)).getNow(null)).isEmpty();
    }

    @Test
    void aChangeCommittedByAnotherNodeIsFoundWithoutAnEvent() throws Exception {
        runningVm("vm1");
        ResizeView waiting = awaitStatus(resizes.start(byPath("+2G"), "bob").id(), ResizeStatus.WAITING_FOR_APPROVAL);
        java.util.concurrent.CompletableFuture<Optional<ResizeView>> change =
                resizes.findWhenChanged(waiting.id(), java.time.Duration.ofSeconds(60));
        // as another node would: a committed status, and no event in this JVM
        jdbc.update("update vdr_resize set status = 'NEEDS_ATTENTION' where id = ?", waiting.id());
        assertThat(change.get(10, TimeUnit.SECONDS)).get().extracting(ResizeView::status).isEqualTo(ResizeStatus.NEEDS_ATTENTION);
        jdbc.update("update vdr_resize set status = 'WAITING_FOR_APPROVAL' where id = ?", waiting.id());
        decide(waiting.id(), "carol", false, "clean up");
        awaitEnd(waiting.id());
    }

    @Autowired CancelledResizes cancelledResizes;

    @Test
    void aResizeWhoseInstanceWasCancelledEndsFailedWithWhoAndWhyAndFreesItsDisk() throws Exception {
        runningVm("vm1");
        ResizeView waiting = awaitStatus(resizes.start(byPath("+2G"), "bob").id(), ResizeStatus.WAITING_FOR_APPROVAL);
        cancelledResizes.endCancelled(); // other tests' cleanup cancels instances too

        // as Cockpit's "cancel" does, by an administrator
        identity.setAuthentication("dora", List.of("camunda-admin"));
        try {
            runtime.deleteProcessInstance(waiting.id(), "wrong disk", true, true);
        } finally {
            identity.clearAuthentication();
        }
        assertThat(resizes.find(waiting.id())).get().extracting(ResizeView::status).isEqualTo(ResizeStatus.WAITING_FOR_APPROVAL);

        assertThat(cancelledResizes.endCancelled()).isOne();
        ResizeView failed = resizes.find(waiting.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(ResizeStatus.FAILED);
        assertThat(failed.endedAt()).isNotNull();
        assertThat(failed.error().code()).isEqualTo("CANCELLED");
        assertThat(failed.error().message()).contains("by dora", "wrong disk");
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock", Integer.class)).isZero();
        List<AuditEvent> events = audit.forResize(failed.id());
        assertThat(events).extracting(AuditEvent::type).containsExactly("RESIZE_REQUESTED", "RESIZE_FAILED");
        assertThat(events.get(1).user()).isEqualTo("dora");
        verify(storage, never()).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        // ended once: a second look changes nothing
        assertThat(cancelledResizes.endCancelled()).isZero();
        // and the disk can be resized again
        assertThat(awaitEnd(resizes.start(byPath("+16M"), "bob").id()).status()).isEqualTo(ResizeStatus.COMPLETED);
    }

    @Test
    void aResizeCancelledWhileItWaitsForItsStorageJobShowsThatWaitFailed() throws Exception {
        runningVm("vm1");
        CountDownLatch release = growOnlyWhenReleased();
        String id = resizes.start(byPath("+16M"), "alice").id();
        awaitTheWaitForTheStorageJob(id);

        runtime.deleteProcessInstance(id, "wrong disk", true, true);
        release.countDown();
        // the grow goes on without its instance: let it end before the next test uses the disk
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "select count(*) from vdr_storage_job where resize_id = ? and state = 'RUNNING'", Integer.class, id) == 0);

        ResizeView.Step wait = resizes.find(id).orElseThrow().steps().stream()
                .filter(step -> step.name().equals("STORAGE_POLL_WAIT")).reduce((first, last) -> last).orElseThrow();
        assertThat(wait.status()).isEqualTo(StepState.FAILED);
        assertThat(wait.endedAt()).isNotNull();
        cancelledResizes.endCancelled();
    }

    @Test
    void aRejectedApprovalEndsRejectedAndTouchesNothing() throws Exception {
        runningVm("vm1");
        ResizeView waiting = awaitStatus(resizes.start(byPath("+2G"), "bob").id(), ResizeStatus.WAITING_FOR_APPROVAL);

        decide(waiting.id(), "carol", false, "use a new disk");

        ResizeView done = awaitEnd(waiting.id());
        assertThat(done.status()).isEqualTo(ResizeStatus.REJECTED);
        assertThat(done.error().code()).isEqualTo("NOT_APPROVED");
        assertThat(libvirt.capacity(PATH)).isEqualTo(64 * MIB);
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), anyLong());
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock", Integer.class)).isZero();
        assertThat(auditTypes(done.id())).containsExactly("RESIZE_REQUESTED", "RESIZE_REJECTED");
    }

    /** A VM step waiting for its retry shows as RETRYING (reading it used to fail with a 500: JobEntity outside a command). */
    @Test
    void aStepWaitingForARetryIsShownAsRetrying() throws Exception {
        runningVm("vm1");
        doThrow(new org.vdresize.common.TransientFailureException("libvirtd restarting"))
                .doAnswer(i -> {
                    libvirt.blockResize(i.getArgument(1), i.getArgument(3));
                    return null;
                })
                .when(hypervisor).blockResize(eq("local"), anyString(), eq("vdb"), anyLong());

        ResizeView started = resizes.start(byPath("+16M"), "alice");
        List<ResizeView.Step> retrying = await().pollInSameThread().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> resizes.find(started.id()).orElseThrow().steps().stream()
                        .filter(s -> s.status() == StepState.RETRYING).toList(), steps -> !steps.isEmpty());
        assertThat(retrying).singleElement().satisfies(step -> {
            assertThat(step.name()).isEqualTo("VM_RESIZE");
            assertThat(step.detail()).contains("libvirtd restarting");
        });
        assertThat(awaitEnd(started.id()).status()).isEqualTo(ResizeStatus.COMPLETED);
    }

    @Test
    void theReasonColumnHoldsTheLongestReasonARequestMayHave() {
        assertThat(jdbc.queryForObject("select character_maximum_length from information_schema.columns"
                + " where lower(table_name) = 'vdr_resize' and lower(column_name) = 'reason'", Integer.class))
                .isEqualTo(ResizeRequest.MAX_REASON_LENGTH);
    }

    @Autowired org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl engineConfiguration;
    @Autowired org.camunda.bpm.engine.RepositoryService repository;
    @Autowired org.camunda.bpm.engine.HistoryService history;

    /** Nothing configured: the engine's history is bounded all the same (docs/operator-guide.md, "History and retention"). */
    @Test
    void byDefaultAResizesEngineHistoryIsRemoved180DaysAfterItEndsInANightlyWindow() {
        assertThat(engineConfiguration.getHistoryTimeToLive()).isEqualTo("P180D");
        assertThat(engineConfiguration.getHistoryCleanupBatchWindowStartTime()).isEqualTo("01:00");
        assertThat(engineConfiguration.getHistoryCleanupBatchWindowEndTime()).isEqualTo("05:00");
        assertThat(engineConfiguration.getHistoryCleanupStrategy()).isEqualTo("removalTimeBased");
        assertThat(engineConfiguration.getHistoryRemovalTimeStrategy()).isEqualTo("end");
        assertThat(engineConfiguration.isHistoryCleanupEnabled()).isTrue();
        assertThat(engineConfiguration.getBatchOperationHistoryTimeToLive()).isEqualTo("P180D");
        assertThat(repository.createProcessDefinitionQuery().processDefinitionKey("virtual-disk-resize").list())
                .isNotEmpty().allSatisfy(version -> assertThat(version.getHistoryTimeToLive()).isEqualTo(180));
        // the engine scheduled its cleanup job, due in the window
        assertThat(history.findHistoryCleanupJobs()).isNotEmpty().allSatisfy(job -> {
            java.time.LocalTime due = job.getDuedate().toInstant().atZone(java.time.ZoneId.systemDefault()).toLocalTime();
            assertThat(due).isBetween(java.time.LocalTime.of(1, 0), java.time.LocalTime.of(5, 0));
        });
        // a resize's history is due for removal 180 days after it ended
        String id = resizes.start(byPath("64M"), "bob").id();
        org.camunda.bpm.engine.history.HistoricProcessInstance instance =
                history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
        assertThat(instance.getRemovalTime()).isEqualTo(
                java.util.Date.from(instance.getEndTime().toInstant().plus(java.time.Duration.ofDays(180))));
    }
}
