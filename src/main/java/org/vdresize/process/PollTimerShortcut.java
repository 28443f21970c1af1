package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.EVENT_POLL_INTERVAL;

import jakarta.annotation.PreDestroy;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.springframework.stereotype.Component;
import org.vdresize.storage.StorageJobListener;

/**
 * Keeps the storage poll loop from waiting longer than it must.
 * <ul>
 * <li>When a storage job ends while its process waits in the poll timer, the timer is made due now
 * and the job executor woken, so the resize goes on within milliseconds instead of a poll interval.
 * If the timer is not committed yet, nothing happens here; the check that creates it tells this
 * class again after its commit (see {@code StorageJobService}).</li>
 * <li>Once a check has left the process waiting in the timer ({@link #waitingForPoll}), the job
 * executor is woken at the timer's due date: when idle, its acquisition sleeps up to
 * {@code camunda.bpm.job-execution.max-wait} (500 ms) and the timer would fire up to that late.</li>
 * </ul>
 * Both are only shortcuts: without them the timer fires as modelled, only later.
 */
@Component
class PollTimerShortcut implements StorageJobListener {

    /** after the due date, so that the acquisition's "due" comparison surely sees the timer */
    static final long WAKE_UP_MARGIN_MS = 2;

    private final ManagementService management;
    private final ProcessEngineConfigurationImpl engineConfiguration;
    private final ScheduledExecutorService wakeUps = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "poll-timer-wake-up");
        t.setDaemon(true);
        return t;
    });

    PollTimerShortcut(ManagementService management, ProcessEngineConfigurationImpl engineConfiguration) {
        this.management = management;
        this.engineConfiguration = engineConfiguration;
    }

    @Override
    public void storageJobEnded(String resizeId) {
        List<Job> timers = pollTimers(resizeId);
        for (Job timer : timers) {
            management.setJobDuedate(timer.getId(), ClockUtil.getCurrentTime());
        }
        if (!timers.isEmpty()) {
            wakeJobExecutor();
        }
    }

    @Override
    public void waitingForPoll(String resizeId) {
        if (engineConfiguration.getJobExecutor() == null) {
            return;
        }
        for (Job timer : pollTimers(resizeId)) {
            Date due = timer.getDuedate();
            long delay = due == null ? 0 : due.getTime() - ClockUtil.getCurrentTime().getTime() + WAKE_UP_MARGIN_MS;
            wakeUps.schedule(this::wakeJobExecutor, Math.max(0, delay), TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        wakeUps.shutdownNow();
    }

    private List<Job> pollTimers(String resizeId) {
        return management.createJobQuery().processInstanceId(resizeId).timers().activityId(EVENT_POLL_INTERVAL).list();
    }

    private void wakeJobExecutor() {
        JobExecutor executor = engineConfiguration.getJobExecutor();
        if (executor != null) {
            executor.jobWasAdded();
        }
    }
}
