package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.EVENT_POLL_INTERVAL;

import java.util.Date;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.runtime.Job;
import org.springframework.stereotype.Component;
import org.vdresize.storage.StorageJobListener;

/**
 * When a storage job ends while its process waits in the poll timer, the timer is made due now and
 * the job executor woken, so the resize goes on within milliseconds instead of a poll interval.
 * If the timer is not committed yet, nothing happens and the timer fires as modelled.
 */
@Component
class PollTimerShortcut implements StorageJobListener {

    private final ManagementService management;
    private final ProcessEngineConfigurationImpl engineConfiguration;

    PollTimerShortcut(ManagementService management, ProcessEngineConfigurationImpl engineConfiguration) {
        this.management = management;
        this.engineConfiguration = engineConfiguration;
    }

    @Override
    public void storageJobEnded(String resizeId) {
        for (Job timer : management.createJobQuery().processInstanceId(resizeId).timers().activityId(EVENT_POLL_INTERVAL).list()) {
            management.setJobDuedate(timer.getId(), new Date());
            if (engineConfiguration.getJobExecutor() != null) {
                engineConfiguration.getJobExecutor().jobWasAdded();
            }
        }
    }
}
