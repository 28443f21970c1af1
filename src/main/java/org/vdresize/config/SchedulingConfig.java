package org.vdresize.config;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.vdresize.storage.StorageJobService;

/**
 * The {@code @Scheduled} methods (the check for cancelled resizes, the audit retention) on Spring's
 * {@code taskScheduler}; the storage heartbeat on a scheduler of its own, as it must go on while a
 * stopping node waits for its storage jobs.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class SchedulingConfig {

    @Bean
    StorageHeartbeat storageHeartbeat(StorageJobService jobs, @Qualifier(StorageHeartbeat.SCHEDULER) TaskScheduler scheduler,
                                      VdresizeProperties properties) {
        return new StorageHeartbeat(jobs, scheduler, properties.storage().heartbeat());
    }
}
