package org.vdresize.config;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.vdresize.storage.StorageJobService;

/**
 * Writes the heartbeat of this node's running storage jobs every {@code vdresize.storage.heartbeat},
 * until a stopping node no longer waits for them (docs/operator-guide.md, "Stopping a node"). Not a
 * {@code @Scheduled} method: Spring cancels those as soon as the context starts closing, while the
 * stop still waits for the storage jobs, and another node would take over a job that still runs here
 * {@code vdresize.storage.lost-after} later. Stopped after the executors' phase, in which the stop
 * waits for the running storage jobs: once the last one ended, or the wait timed out; a job cut short
 * is then taken over as lost.
 */
class StorageHeartbeat implements SmartLifecycle {

    /** The bean name of its scheduler (ExecutorsConfig), which takes tasks until the beans are destroyed. */
    static final String SCHEDULER = "storageHeartbeatScheduler";
    /** after the executors' phase ({@link ExecutorConfigurationSupport#DEFAULT_PHASE}) */
    static final int PHASE = ExecutorConfigurationSupport.DEFAULT_PHASE - 1024;

    private static final Logger log = LoggerFactory.getLogger(StorageHeartbeat.class);

    private final StorageJobService jobs;
    private final TaskScheduler scheduler;
    private final Duration every;
    private volatile ScheduledFuture<?> beats;

    StorageHeartbeat(StorageJobService jobs, TaskScheduler scheduler, Duration every) {
        this.jobs = jobs;
        this.scheduler = scheduler;
        this.every = every;
    }

    @Override
    public void start() {
        beats = scheduler.scheduleWithFixedDelay(this::beat, every);
    }

    private void beat() {
        try {
            jobs.heartbeat();
        } catch (RuntimeException e) {
            // the next beat tries again; a job is lost only after vdresize.storage.lost-after without one
            log.warn("could not write the heartbeat of this node's storage jobs: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        ScheduledFuture<?> running = beats;
        if (running != null) {
            running.cancel(false);
            log.info("storage heartbeat stopped: this node no longer waits for its storage jobs");
        }
    }

    @Override
    public boolean isRunning() {
        ScheduledFuture<?> running = beats;
        return running != null && !running.isCancelled();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
