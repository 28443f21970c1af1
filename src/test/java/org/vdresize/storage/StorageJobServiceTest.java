package org.vdresize.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.vdresize.common.NodeIdentity;
import org.vdresize.common.TransientFailureException;
import org.vdresize.inventory.StorageVolume;

/** The storage job life cycle against a real (in-memory H2) table and a scripted storage port. */
class StorageJobServiceTest {

    static final long GIB = 1L << 30;

    final StoragePort storage = mock(StoragePort.class);
    JdbcTemplate jdbc;
    StorageJobRepository repository;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    long capacity = GIB;
    long allocation = 0;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void database() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:jobs" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        jdbc = new JdbcTemplate(ds);
        org.flywaydb.core.Flyway.configure().dataSource(ds).load().migrate();
        repository = new StorageJobRepository(jdbc);
        when(storage.volume("h", "p", "v")).thenAnswer(i -> new StorageVolume("h", "p", "v", "/p/v", "raw", capacity, allocation, null));
    }

    @AfterEach
    void drop() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
        jdbc.execute("shutdown");
    }

    StorageJobService service(NodeIdentity node, Duration maxWait) {
        return new StorageJobService(storage, repository, node, clock,
                new StorageSettings(Duration.ofSeconds(1), maxWait, Duration.ofSeconds(15)), listener, meters,
                storageThreads());
    }

    /** like the application's storageJobExecutor with vdresize.storage.threads=2 */
    static ThreadPoolTaskExecutor storageThreads() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("test-storage-job-");
        executor.setDaemon(true);
        executor.setCorePoolSize(2);
        executor.setMaxPoolSize(2);
        executor.initialize();
        return executor;
    }

    static StorageJobService.Target target(StorageResizeMode mode) {
        return new StorageJobService.Target("r1", "/p/v", "h", "p", "v", mode, GIB, 2 * GIB);
    }

    @Test
    void growsOnTheExecutorAndReportsDone() throws Exception {
        doAnswer(i -> capacity = i.getArgument(3)).when(storage).grow("h", "p", "v", 2 * GIB, true);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));

        StorageJob job = jobs.start(target(StorageResizeMode.ALLOCATE));

        verify(storage, timeout(5000)).grow("h", "p", "v", 2 * GIB, true);
        awaitState(job.id(), StorageJob.State.DONE);
        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.DONE);
        assertThat(awaitJobTimer("ALLOCATE", "DONE").count()).isOne();
    }

    @Test
    void aRetriedStartReturnsTheSameJobAndGrowsOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        doAnswer(i -> release.await(5, TimeUnit.SECONDS)).when(storage).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));

        StorageJob first = jobs.start(target(StorageResizeMode.RESIZE));
        StorageJob second = jobs.start(target(StorageResizeMode.RESIZE));
        release.countDown();

        assertThat(second.id()).isEqualTo(first.id());
        verify(storage, timeout(5000).times(1)).grow("h", "p", "v", 2 * GIB, false);
    }

    @Test
    void qemuGrowsAndAlreadyGrownAreDoneAtOnce() throws Exception {
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        assertThat(jobs.start(target(StorageResizeMode.QEMU_GROWS)).state()).isEqualTo(StorageJob.State.DONE);
        jdbc.update("delete from vdr_storage_job");
        capacity = 2 * GIB;
        assertThat(jobs.start(target(StorageResizeMode.RESIZE)).state()).isEqualTo(StorageJob.State.DONE);
        verify(storage, never()).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
    }

    @Test
    void aFailedGrowIsReportedWithLibvirtsWords() throws Exception {
        doAnswer(i -> {
            throw new org.vdresize.common.OperationFailedException("no space left on device");
        }).when(storage).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        StorageJob job = jobs.start(target(StorageResizeMode.ALLOCATE));
        awaitState(job.id(), StorageJob.State.FAILED);
        StorageJobStatus status = jobs.check(job.id());
        assertThat(status.outcome()).isEqualTo(StorageJobStatus.Outcome.FAILED);
        assertThat(status.detail()).contains("no space left");
        assertThat(awaitJobTimer("ALLOCATE", "FAILED").count()).isOne();
        assertThat(meters.find("vdresize.storage.job.duration").tag("outcome", "DONE").timer()).isNull();
    }

    @Test
    void aJobWithNothingToDoRecordsNoDuration() {
        capacity = 2 * GIB;
        service(new NodeIdentity(), Duration.ofMinutes(5)).start(target(StorageResizeMode.RESIZE));
        service(new NodeIdentity(), Duration.ofMinutes(5)).start(new StorageJobService.Target("r2", "/p/v", "h", "p", "v",
                StorageResizeMode.QEMU_GROWS, GIB, 2 * GIB));
        assertThat(meters.find("vdresize.storage.job.duration").timers()).isEmpty();
    }

    /** The timer is stopped right after the row is written: wait for it, as for the row. */
    private io.micrometer.core.instrument.Timer awaitJobTimer(String mode, String outcome) {
        return await("timer " + mode + "/" + outcome).pollInSameThread().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> meters.find("vdresize.storage.job.duration").tags("mode", mode, "outcome", outcome).timer(),
                        timer -> timer != null && timer.count() > 0);
    }

    @Test
    void aJobStillRunningAfterMaxWaitTimesOutAndUndoWaitsForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofSeconds(30));
        StorageJob job = startHeldJob(jobs, release);

        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        clock.advance(Duration.ofSeconds(31));
        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.TIMED_OUT);
        assertThatThrownBy(() -> jobs.undo("r1")).isInstanceOf(TransientFailureException.class);
        release.countDown();
    }

    /** libvirt holds the pool lock during the grow: a check reading the volume then would block until the end. */
    @Test
    void checkingAJobRunningHereDoesNotAskTheStorage() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        StorageJob job = startHeldJob(jobs, release);
        org.mockito.Mockito.clearInvocations(storage);

        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        verify(storage, never()).volume(anyString(), anyString(), anyString());
        release.countDown();
        awaitState(job.id(), StorageJob.State.DONE);
    }

    /** the other node is in its libvirt call, which holds the pool lock: reading the volume would block until it ends */
    @Test
    void checkingAJobALiveNodeRunsDoesNotAskTheStorage() {
        NodeIdentity other = new NodeIdentity();
        jdbc.update("insert into vdr_storage_job (id, resize_id, host, pool, volume, path, mode, old_capacity, target_capacity,"
                + " state, node, heartbeat_at, started_at) values ('j1', 'r1', 'h', 'p', 'v', '/p/v', 'ALLOCATE', ?, ?, 'RUNNING', ?, ?, ?)",
                GIB, 2 * GIB, other.id(), clock.instant().atOffset(ZoneOffset.UTC), clock.instant().atOffset(ZoneOffset.UTC));
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));

        assertThat(jobs.check("j1").outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        clock.advance(Duration.ofSeconds(10));
        assertThat(jobs.check("j1").outcome()).as("heartbeat 10 s old, lost after 15 s").isEqualTo(StorageJobStatus.Outcome.RUNNING);
        verify(storage, never()).volume(anyString(), anyString(), anyString());
    }

    @Test
    void aJobOfALostNodeIsReDerivedFromTheVolumeAndRestartedHere() throws Exception {
        NodeIdentity dead = new NodeIdentity();
        jdbc.update("insert into vdr_storage_job (id, resize_id, host, pool, volume, path, mode, old_capacity, target_capacity,"
                + " state, node, heartbeat_at, started_at) values ('j1', 'r1', 'h', 'p', 'v', '/p/v', 'RESIZE', ?, ?, 'RUNNING', ?, ?, ?)",
                GIB, 2 * GIB, dead.id(), clock.instant().atOffset(ZoneOffset.UTC), clock.instant().atOffset(ZoneOffset.UTC));
        doAnswer(i -> capacity = i.getArgument(3)).when(storage).grow("h", "p", "v", 2 * GIB, false);
        StorageJobService survivor = service(new NodeIdentity(), Duration.ofMinutes(5));

        assertThat(survivor.check("j1").outcome()).as("heartbeat still fresh").isEqualTo(StorageJobStatus.Outcome.RUNNING);
        verify(storage, never()).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());

        clock.advance(Duration.ofSeconds(16));
        assertThat(survivor.check("j1").outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        verify(storage, timeout(5000)).grow("h", "p", "v", 2 * GIB, false);
        awaitState("j1", StorageJob.State.DONE);
    }

    /** e.g. H2 closed by its own shutdown hook while the stopping node waited for the job (StopDuringStorageJobIT) */
    @Test
    void aGrowWhoseEndCannotBeRecordedStaysRunningAndIsReDerivedNotFailed() throws Exception {
        doAnswer(i -> {
            capacity = i.getArgument(3);
            allocation = capacity;
            return null;
        }).when(storage).grow("h", "p", "v", 2 * GIB, true);
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean(true);
        StorageJobRepository closing = new StorageJobRepository(jdbc) {
            @Override
            boolean finish(String id, StorageJob.State state, String error, Instant at) {
                if (closed.getAndSet(false)) {
                    throw new org.springframework.jdbc.CannotGetJdbcConnectionException("Database is already closed");
                }
                return super.finish(id, state, error, at);
            }
        };
        StorageJobService jobs = new StorageJobService(storage, closing, new NodeIdentity(), clock,
                new StorageSettings(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(15)), listener, meters,
                storageThreads());

        StorageJob job = jobs.start(new StorageJobService.Target("r1", "/p/v", "h", "p", "v", StorageResizeMode.ALLOCATE,
                GIB, 2 * GIB));
        assertThat(listener.awaitEnded(1)).containsExactly("ended r1");

        assertThat(repository.find(job.id()).orElseThrow().state()).as("not FAILED: the grow worked")
                .isEqualTo(StorageJob.State.RUNNING);
        StorageJobStatus status = jobs.check(job.id());
        assertThat(status.outcome()).as(status.detail()).isEqualTo(StorageJobStatus.Outcome.DONE);
        assertThat(repository.find(job.id()).orElseThrow().state()).isEqualTo(StorageJob.State.DONE);
    }

    @Test
    void undoShrinksBackToTheExactOldCapacityOnce() throws Exception {
        doAnswer(i -> capacity = i.getArgument(3)).when(storage).grow("h", "p", "v", 2 * GIB, false);
        doAnswer(i -> capacity = i.getArgument(3)).when(storage).shrinkBack("h", "p", "v", GIB);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        StorageJob job = jobs.start(target(StorageResizeMode.RESIZE));
        awaitState(job.id(), StorageJob.State.DONE);

        assertThat(jobs.undo("r1")).contains("shrank");
        assertThat(jobs.undo("r1")).contains("nothing to undo");
        verify(storage, timeout(1000).times(1)).shrinkBack("h", "p", "v", GIB);
        assertThat(capacity).isEqualTo(GIB);
    }

    /** Starts a preallocation whose libvirt call holds until {@code release} counts down, and waits until it runs. */
    private StorageJob startHeldJob(StorageJobService jobs, CountDownLatch release) throws Exception {
        doAnswer(i -> release.await(10, TimeUnit.SECONDS)).when(storage).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());
        StorageJob job = jobs.start(target(StorageResizeMode.ALLOCATE));
        verify(storage, timeout(5000)).grow("h", "p", "v", 2 * GIB, true);
        return job;
    }

    // ---- after the commit of a check that leaves the process waiting for the job's end ----------

    /**
     * The race the job's own message alone loses: the job ends after its check read RUNNING but
     * before that check's transaction (which leaves the process waiting for the message) commits.
     * The job's own "ended" finds no process waiting; after the commit it is told again, so the
     * process goes on now, not a poll interval later.
     */
    @Test
    void aJobThatEndsWhileItsRunningCheckCommitsIsToldAgainAfterTheCommit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        StorageJob job = startHeldJob(jobs, release);

        TransactionSynchronizationManager.initSynchronization();
        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        release.countDown();
        awaitState(job.id(), StorageJob.State.DONE);
        assertThat(listener.awaitEnded(1)).as("the job's own call, before the check's commit").containsExactly("ended r1");
        listener.calls.clear();

        commit();

        assertThat(listener.calls).containsExactly("ended r1");
    }

    @Test
    void aCheckCommittedWhileTheJobStillRunsLeavesTheTellingToTheJobsEnd() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        StorageJob job = startHeldJob(jobs, release);

        TransactionSynchronizationManager.initSynchronization();
        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        commit();

        assertThat(listener.calls).as("still running: its own end tells the process").isEmpty();
        release.countDown();
        assertThat(listener.awaitEnded(1)).containsExactly("ended r1");
    }

    /** A job another node runs has not ended because it is not running here: telling the process now would spin its loop. */
    @Test
    void aRunningJobOfAnotherNodeIsNotReportedEndedByThisNode() {
        NodeIdentity other = new NodeIdentity();
        jdbc.update("insert into vdr_storage_job (id, resize_id, host, pool, volume, path, mode, old_capacity, target_capacity,"
                + " state, node, heartbeat_at, started_at) values ('j1', 'r1', 'h', 'p', 'v', '/p/v', 'RESIZE', ?, ?, 'RUNNING', ?, ?, ?)",
                GIB, 2 * GIB, other.id(), clock.instant().atOffset(ZoneOffset.UTC), clock.instant().atOffset(ZoneOffset.UTC));
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));

        TransactionSynchronizationManager.initSynchronization();
        assertThat(jobs.check("j1").outcome()).isEqualTo(StorageJobStatus.Outcome.RUNNING);
        commit();

        assertThat(listener.calls).isEmpty();
    }

    @Test
    void aCheckThatFindsTheJobEndedRegistersNothing() throws Exception {
        doAnswer(i -> capacity = i.getArgument(3)).when(storage).grow("h", "p", "v", 2 * GIB, true);
        StorageJobService jobs = service(new NodeIdentity(), Duration.ofMinutes(5));
        StorageJob job = jobs.start(target(StorageResizeMode.ALLOCATE));
        awaitState(job.id(), StorageJob.State.DONE);

        TransactionSynchronizationManager.initSynchronization();
        assertThat(jobs.check(job.id()).outcome()).isEqualTo(StorageJobStatus.Outcome.DONE);
        assertThat(TransactionSynchronizationManager.getSynchronizations())
                .as("nothing but JdbcTemplate's connection binding").allMatch(t -> t.getClass().getName().contains("DataSourceUtils"));
    }

    /** runs what the checks registered for after the commit, as Spring does when the engine's transaction commits */
    private static void commit() {
        List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
        TransactionSynchronizationManager.clearSynchronization();
        synchronizations.forEach(TransactionSynchronization::afterCommit);
        synchronizations.forEach(t -> t.afterCompletion(TransactionSynchronization.STATUS_COMMITTED));
    }

    static final class RecordingListener implements StorageJobListener {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void storageJobEnded(String resizeId) {
            calls.add("ended " + resizeId);
        }

        List<String> awaitEnded(int size) {
            await().pollInSameThread().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                    .until(() -> calls.size() >= size);
            return List.copyOf(calls);
        }
    }

    private void awaitState(String id, StorageJob.State state) {
        await().pollInSameThread().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(repository.find(id).orElseThrow().state()).isEqualTo(state));
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
