package org.vdresize.config;

import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.vdresize.resize.ResizeService;
import org.vdresize.resize.ResizeStatusWatch;
import org.vdresize.storage.StorageJobService;

/**
 * vdresize's own thread pools, as Spring beans: Spring shuts them down in a known order
 * (docs/operator-guide.md, "Stopping a node") and Spring Boot measures them (the {@code executor_*}
 * meters in /actuator/prometheus, tag {@code name} = the bean's name). Besides these: Tomcat's request
 * threads, the libvirt connections' two pools ({@code libvirtConnector}, {@code libvirtCloser}: in
 * the libvirt package, which owns them), the engine's job executor ({@code camundaTaskExecutor}, camunda.bpm.job-execution.*; its
 * place in the order: {@link JobExecutorShutdownPlugin}).
 *
 * <p>The pools that serve requests and the libvirt connections keep taking work after the context
 * starts closing ({@code acceptTasksAfterContextClose}): in-flight requests finish during the web
 * server's graceful shutdown, and running steps may still connect to a host; they are shut down only
 * when the beans that use them are gone.
 */
@Configuration(proxyBeanMethods = false)
class ExecutorsConfig {

    /** {@link ResizeService}: reads the views that waiting requests answer with (was a fixed pool of 4). */
    @Bean(ResizeService.VIEW_READERS)
    ThreadPoolTaskExecutor resizeViewReaders() {
        ThreadPoolTaskExecutor executor = servingExecutor("resize-view-reader-");
        executor.setCorePoolSize(4);
        executor.setMaxPoolSize(4);
        return executor;
    }

    /** {@link ResizeStatusWatch}: the 250 ms look at the database for changes made by other nodes. */
    @Bean(ResizeStatusWatch.SCHEDULER)
    ThreadPoolTaskScheduler resizeStatusWatchScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("resize-status-watch-");
        scheduler.setDaemon(true);
        scheduler.setAcceptTasksAfterContextClose(true);
        return scheduler;
    }

    /**
     * {@link StorageJobService}: the libvirt calls of this node's storage jobs,
     * {@code vdresize.storage.threads} at a time, the others queued. When the node stops, it takes
     * no new job, and Spring waits for the running ones (up to
     * {@code spring.lifecycle.timeout-per-shutdown-phase}) while the engine and the database are
     * still there, and its heartbeat goes on ({@link StorageHeartbeat}); a job cut short stays RUNNING
     * and is taken over as lost ({@code vdresize.storage.lost-after}).
     */
    @Bean(StorageJobService.EXECUTOR)
    ThreadPoolTaskExecutor storageJobExecutor(VdresizeProperties properties) {
        int threads = Math.max(1, properties.storage().threads());
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("storage-job-");
        executor.setDaemon(true);
        executor.setCorePoolSize(threads);
        executor.setMaxPoolSize(threads);
        return executor;
    }

    /**
     * {@link StorageHeartbeat}: the heartbeat of this node's storage jobs. Keeps taking tasks after
     * the context starts closing and is shut down only with the beans, as the heartbeat must go on
     * while the stop waits for the storage jobs ({@link StorageHeartbeat#PHASE} ends it). Its own
     * phase comes after the heartbeat's: Spring stops a lifecycle bean's users with it, so in the
     * executors' phase it would end the heartbeat while the stop still waits for the jobs.
     */
    @Bean(StorageHeartbeat.SCHEDULER)
    ThreadPoolTaskScheduler storageHeartbeatScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("storage-heartbeat-");
        scheduler.setDaemon(true);
        scheduler.setAcceptTasksAfterContextClose(true);
        scheduler.setPhase(StorageHeartbeat.PHASE - 1024);
        return scheduler;
    }

    /**
     * The scheduler of the {@code @Scheduled} methods (cancelled resizes, audit retention), as Spring
     * Boot would make it (spring.task.scheduling.*). Declared here because the schedulers above would
     * otherwise take its place (Boot makes its own only when there is no scheduler bean at all).
     */
    @Bean
    ThreadPoolTaskScheduler taskScheduler(ThreadPoolTaskSchedulerBuilder builder) {
        return builder.build();
    }

    private static ThreadPoolTaskExecutor servingExecutor(String threadNamePrefix) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix(threadNamePrefix);
        executor.setDaemon(true);
        executor.setAcceptTasksAfterContextClose(true);
        return executor;
    }
}
