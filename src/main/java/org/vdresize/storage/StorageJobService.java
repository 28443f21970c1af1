package org.vdresize.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.vdresize.common.NodeIdentity;
import org.vdresize.common.TransientFailureException;
import org.vdresize.inventory.StorageVolume;

/**
 * Storage extends as asynchronous jobs: a row in vdr_storage_job, and the libvirt call on a
 * bounded executor of this node. A check reads the row; when the node that ran the job is gone
 * (no heartbeat), the truth is re-derived from the volume itself and the job is started again here
 * if it had not finished. Growing to an absolute capacity is idempotent, so running it twice is harmless.
 */
@Service
public class StorageJobService {

    private static final Logger log = LoggerFactory.getLogger(StorageJobService.class);
    /** The bean name of the executor the libvirt calls of storage jobs run on. */
    public static final String EXECUTOR = "storageJobExecutor";

    /** What the storage step is asked to grow. host/pool/volume are null for a disk in no pool. */
    public record Target(String resizeId, String path, String host, String pool, String volume,
                         StorageResizeMode mode, long oldCapacity, long targetCapacity) {
    }

    private final StoragePort storage;
    private final StorageJobRepository jobs;
    private final NodeIdentity node;
    private final Clock clock;
    /** this node's storage job threads, vdresize.storage.threads of them (config.ExecutorsConfig) */
    private final AsyncTaskExecutor executor;
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    private final Duration maxWait;
    /** a RUNNING job whose node has not written a heartbeat for this long is lost (vdresize.storage.lost-after) */
    private final Duration lostAfter;
    private final StorageJobListener listener;
    private final MeterRegistry meters;

    public StorageJobService(StoragePort storage, StorageJobRepository jobs, NodeIdentity node, Clock clock,
                             StorageSettings settings, StorageJobListener listener, MeterRegistry meters,
                             @Qualifier(EXECUTOR) AsyncTaskExecutor executor) {
        this.storage = storage;
        this.meters = meters;
        this.listener = listener;
        this.jobs = jobs;
        this.node = node;
        this.clock = clock;
        this.maxWait = settings.maxWait();
        this.lostAfter = settings.lostAfter();
        this.executor = executor;
    }

    /**
     * Starts the storage extend for a resize, or returns the job it already has (a retried step
     * starts nothing twice). Jobs with nothing to do are DONE at once.
     */
    public StorageJob start(Target target) {
        Optional<StorageJob> existing = jobs.forResize(target.resizeId());
        if (existing.isPresent()) {
            return existing.get();
        }
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        if (target.mode() == StorageResizeMode.QEMU_GROWS) {
            StorageJob done = job(id, target, null, StorageJob.State.DONE, null, now, now);
            jobs.insert(done);
            return done;
        }
        StorageVolume volume = storage.volume(target.host(), target.pool(), target.volume());
        if (volume.capacity() >= target.targetCapacity()) {
            // grown before a crash or a lost transaction: nothing left to do
            StorageJob done = job(id, target, volume.allocation(), StorageJob.State.DONE, null, now, now);
            jobs.insert(done);
            return done;
        }
        StorageJob job = job(id, target, volume.allocation(), StorageJob.State.RUNNING, null, now, null);
        jobs.insert(job);
        submitAfterCommit(job);
        return job;
    }

    /** Reads where a job stands; re-derives and restarts it here when its node is gone. */
    public StorageJobStatus check(String jobId) {
        StorageJob job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("no storage job " + jobId));
        switch (job.state()) {
            case DONE:
                return new StorageJobStatus(StorageJobStatus.Outcome.DONE, job.progress(), describe(job));
            case FAILED:
                return new StorageJobStatus(StorageJobStatus.Outcome.FAILED, job.progress(), job.error());
            case ROLLED_BACK:
                return new StorageJobStatus(StorageJobStatus.Outcome.FAILED, job.progress(), "rolled back");
            default:
                break;
        }
        Instant now = clock.instant();
        boolean runningHere = running.containsKey(jobId);
        if (!runningHere && isLost(job, now)) {
            StorageJobStatus recovered = recover(job, now);
            // restarted here: submitted after this commit, so its end always finds the process waiting
            return recovered;
        }
        Long progress = progressOf(job);
        if (Duration.between(job.startedAt(), now).compareTo(maxWait) > 0) {
            return new StorageJobStatus(StorageJobStatus.Outcome.TIMED_OUT, progress,
                    "storage job still running after " + maxWait + " (" + progress + " of " + job.targetCapacity() + " B allocated)");
        }
        if (runningHere) {
            tellAgainIfEndedBeforeCommit(job);
        }
        return new StorageJobStatus(StorageJobStatus.Outcome.RUNNING, progress,
                "growing " + job.path() + " to " + job.targetCapacity() + " B" + (progress == null ? "" : ", " + progress + " B allocated"));
    }

    /**
     * A check that finds this node's job running leaves the process waiting for the job's end, which
     * it does only once the check's transaction commits. When the job ended in the meantime, its own
     * call found no process waiting: it is told again after that commit, or the process would wait a
     * whole poll interval for a job that is done. Only for a job that was running here: a job of
     * another node that is not running here is told by that node, or found by the poll timer.
     */
    private void tellAgainIfEndedBeforeCommit(StorageJob job) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                if (running.containsKey(job.id())) {
                    return; // still running: its end tells the process
                }
                try {
                    log.debug("[{}] storage job {} ended while its check committed: telling the process now",
                            job.path(), job.id());
                    listener.storageJobEnded(job.resizeId());
                } catch (RuntimeException e) {
                    // only a shortcut: the poll timer fires by its due date anyway
                    log.debug("[{}] could not tell the process that storage job {} ended: {}", job.path(), job.id(),
                            e.getMessage());
                }
            }
        });
    }

    /**
     * Compensation: puts the volume back to its exact old capacity. Safe only because no guest has
     * seen the new size yet; waits (by failing transiently) while the job still runs.
     *
     * @return what was done, in words
     */
    public String undo(String resizeId) {
        Optional<StorageJob> found = jobs.forResize(resizeId);
        if (found.isEmpty()) {
            return "no storage job was started: nothing to undo";
        }
        StorageJob job = found.get();
        if (job.mode() == StorageResizeMode.QEMU_GROWS) {
            return "the storage step changed nothing (QEMU grows this image): nothing to undo";
        }
        if (job.state() == StorageJob.State.RUNNING && !isLost(job, clock.instant()) ) {
            throw new TransientFailureException("storage job " + job.id() + " is still running; undo waits for it to end");
        }
        StorageVolume volume = storage.volume(job.host(), job.pool(), job.volume());
        String what;
        if (volume.capacity() > job.oldCapacity()) {
            storage.shrinkBack(job.host(), job.pool(), job.volume(), job.oldCapacity());
            what = "shrank " + job.path() + " back from " + volume.capacity() + " B to " + job.oldCapacity() + " B";
        } else {
            what = job.path() + " is at " + volume.capacity() + " B, not above its old capacity: nothing to undo";
        }
        jobs.markRolledBack(job.id(), clock.instant());
        return what;
    }

    public Optional<StorageJob> forResize(String resizeId) {
        return jobs.forResize(resizeId);
    }

    /**
     * Marks this node's running jobs as alive; other nodes take a job over after
     * vdresize.storage.lost-after without this. Called every vdresize.storage.heartbeat (5 s), also
     * while a stopping node waits for its jobs (config.StorageHeartbeat).
     */
    public void heartbeat() {
        if (!running.isEmpty()) {
            jobs.heartbeat(node.id(), clock.instant());
        }
    }

    private StorageJobStatus recover(StorageJob job, Instant now) {
        StorageVolume volume = storage.volume(job.host(), job.pool(), job.volume());
        boolean grown = volume.capacity() >= job.targetCapacity()
                && (job.mode() != StorageResizeMode.ALLOCATE || volume.allocation() >= job.targetCapacity());
        if (grown) {
            jobs.finish(job.id(), StorageJob.State.DONE, null, now);
            log.info("[{}] storage job {} of lost node {} had finished; volume is at {} B", job.path(), job.id(),
                    job.node(), volume.capacity());
            return new StorageJobStatus(StorageJobStatus.Outcome.DONE, volume.allocation(), describe(job) + " (recovered)");
        }
        if (jobs.adopt(job.id(), job.node(), node.id(), now)) {
            log.warn("[{}] storage job {} lost with node {}; starting it again on this node", job.path(), job.id(), job.node());
            submitAfterCommit(job);
        }
        return new StorageJobStatus(StorageJobStatus.Outcome.RUNNING, volume.allocation(), "restarted after its node was lost");
    }

    private boolean isLost(StorageJob job, Instant now) {
        if (node.id().equals(job.node())) {
            return !running.containsKey(job.id());
        }
        Instant beat = job.heartbeatAt() == null ? job.startedAt() : job.heartbeatAt();
        return Duration.between(beat, now).compareTo(lostAfter) > 0;
    }

    /**
     * What the row says: a check never asks libvirt about a job that runs, here or on a live node.
     * libvirt holds the pool's lock for the whole virStorageVolResize and answers for the volume
     * only once the grow ends: reading it would block this job executor thread until then (minutes
     * for a large preallocation without fallocate), and a check blocked beyond the job lock time is
     * started again by another thread, until the executor has no thread left. A job that is not
     * running (its node lost) is re-derived from the volume by {@link #recover} instead.
     */
    private static Long progressOf(StorageJob job) {
        return job.mode() == StorageResizeMode.ALLOCATE ? job.progress() : null;
    }

    private void submitAfterCommit(StorageJob job) {
        // the executor must not see the job before its row is committed
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    submit(job);
                }
            });
        } else {
            submit(job);
        }
    }

    private void submit(StorageJob job) {
        try {
            running.computeIfAbsent(job.id(), id -> executor.submit(() -> run(job)));
        } catch (TaskRejectedException e) {
            // this node is stopping: the job stays RUNNING without a heartbeat, and a check (on another
            // node, or on this one's next life) takes it over once it is lost
            log.info("[{}] storage job {} not started: this node is stopping; it is taken over after {}",
                    job.path(), job.id(), lostAfter);
        }
    }

    private void run(StorageJob job) {
        Timer.Sample sample = Timer.start(meters);
        RuntimeException failure = null;
        try {
            log.info("[{}] storage job {}: {} to {} B", job.path(), job.id(), job.mode(), job.targetCapacity());
            storage.grow(job.host(), job.pool(), job.volume(), job.targetCapacity(), job.mode() == StorageResizeMode.ALLOCATE);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            sample.stop(jobTimer(job.mode(), (failure == null ? StorageJob.State.DONE : StorageJob.State.FAILED).name()));
        }
        try {
            if (failure == null) {
                jobs.finish(job.id(), StorageJob.State.DONE, null, clock.instant());
                log.info("[{}] storage job {} done", job.path(), job.id());
            } else {
                log.warn("[{}] storage job {} failed: {}", job.path(), job.id(), failure.getMessage());
                jobs.finish(job.id(), StorageJob.State.FAILED, failure.getMessage(), clock.instant());
            }
        } catch (RuntimeException e) {
            // a grow that worked must not be recorded FAILED because the database did not answer (e.g. the
            // node is stopping): the row stays RUNNING, and a check re-derives the job from the volume
            log.warn("[{}] storage job {} ended ({}), but its end could not be recorded: {}; a check re-derives it "
                    + "from the volume", job.path(), job.id(), failure == null ? "grown" : "failed", e.getMessage());
        } finally {
            running.remove(job.id());
        }
        try {
            listener.storageJobEnded(job.resizeId());
        } catch (RuntimeException e) {
            // only a shortcut: the poll timer checks the job anyway (e.g. the timer fired at the same moment)
            log.debug("[{}] could not tell the process that storage job {} ended: {}", job.path(), job.id(), e.getMessage());
        }
    }

    /**
     * {@code vdresize_storage_job_duration_seconds{mode,outcome}}: how long this node's libvirt call
     * for a storage job took (RESIZE or ALLOCATE; DONE or FAILED). Jobs with nothing to do
     * (QEMU_GROWS, a volume already at its target) run nothing and are not recorded.
     */
    private Timer jobTimer(StorageResizeMode mode, String outcome) {
        return Timer.builder("vdresize.storage.job.duration")
                .description("Duration of the libvirt volume resize of a storage job on this node")
                .tag("mode", mode.name())
                .tag("outcome", outcome)
                .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5),
                        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(30))
                .register(meters);
    }

    private StorageJob job(String id, Target t, Long oldAllocation, StorageJob.State state, String error,
                           Instant startedAt, Instant endedAt) {
        return new StorageJob(id, t.resizeId(), t.host(), t.pool(), t.volume(), t.path(), t.mode(), t.oldCapacity(),
                oldAllocation, t.targetCapacity(), state, null, error, node.id(), startedAt, startedAt, endedAt);
    }

    private static String describe(StorageJob job) {
        return switch (job.mode()) {
            case QEMU_GROWS -> "nothing to do on the storage: a running QEMU holds " + job.path() + " and grows it in the VM step";
            case RESIZE -> "grew " + job.path() + " to " + job.targetCapacity() + " B";
            case ALLOCATE -> "grew and allocated " + job.path() + " to " + job.targetCapacity() + " B";
        };
    }
}
