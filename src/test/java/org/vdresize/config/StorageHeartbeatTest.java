package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.vdresize.common.NodeIdentity;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.storage.StorageJob;
import org.vdresize.storage.StorageJobListener;
import org.vdresize.storage.StorageJobService;
import org.vdresize.storage.StoragePort;
import org.vdresize.storage.StorageResizeMode;
import org.vdresize.storage.StorageSettings;

/**
 * The storage heartbeat while a node stops (docs/operator-guide.md, "Stopping a node"): the
 * application's own executor and scheduling configuration with the storage job service, in a context
 * closed from another thread while a storage job runs, as a SIGTERM closes it. The heartbeat goes on
 * while the close waits for the job, so that no other node takes over a job that still runs here,
 * and stops once the wait is over, so that a job cut short is taken over after lost-after.
 */
class StorageHeartbeatTest {

    static final long GIB = 1L << 30;
    static final Duration BEAT = Duration.ofMillis(100);
    static final StorageJobService.Target TARGET = new StorageJobService.Target("r1", "/p/v", "h", "p", "v",
            StorageResizeMode.RESIZE, GIB, 2 * GIB);

    final CountDownLatch growing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    DriverManagerDataSource database;
    JdbcTemplate jdbc;
    AnnotationConfigApplicationContext context;
    volatile Instant closeBegan;

    @EnableConfigurationProperties(VdresizeProperties.class)
    @Configuration(proxyBeanMethods = false)
    static class Properties {
    }

    @BeforeEach
    void database() {
        database = new DriverManagerDataSource("jdbc:h2:mem:heartbeat" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(database).load().migrate();
        jdbc = new JdbcTemplate(database);
    }

    @AfterEach
    void end() {
        release.countDown();
        if (context != null && context.isActive()) {
            context.close();
        }
        jdbc.execute("shutdown");
    }

    @Test
    void aStoppingNodeBeatsForItsRunningStorageJobUntilItEnds() throws Exception {
        StorageJob job = startJobOnANodeThatWaits(Duration.ofSeconds(30));

        Thread stop = closeInTheBackground();
        await().atMost(Duration.ofSeconds(5)).until(() -> closeBegan != null);
        awaitBeatsAfterTheCloseBegan(job);
        assertThat(stop.isAlive()).as("the close waits for the running storage job").isTrue();

        release.countDown();
        stop.join(10_000);
        assertThat(stop.isAlive()).as("the close ends once the job ended").isFalse();
        assertThat(jdbc.queryForObject("select state from vdr_storage_job where id = ?", String.class, job.id()))
                .isEqualTo("DONE");
        Instant ended = jdbc.queryForObject("select ended_at from vdr_storage_job where id = ?", OffsetDateTime.class,
                job.id()).toInstant();
        assertThat(heartbeat(job)).as("beating until the job ended").isAfter(ended.minus(BEAT.multipliedBy(5)));
    }

    @Test
    void aStoppingNodeStopsBeatingWhenItsWaitForTheStorageJobIsOver() throws Exception {
        StorageJob job = startJobOnANodeThatWaits(Duration.ofSeconds(2));

        Thread stop = closeInTheBackground();
        await().atMost(Duration.ofSeconds(5)).until(() -> closeBegan != null);
        awaitBeatsAfterTheCloseBegan(job);
        stop.join(10_000);
        assertThat(stop.isAlive()).as("the close ends after the wait, the job still running").isFalse();

        Instant last = heartbeat(job);
        Thread.sleep(BEAT.multipliedBy(5).toMillis());
        assertThat(heartbeat(job)).as("no heartbeat once the node no longer waits for the job").isEqualTo(last);
        assertThat(jdbc.queryForObject("select state from vdr_storage_job where id = ?", String.class, job.id()))
                .as("cut short: taken over as lost").isEqualTo("RUNNING");
    }

    /** A node with one storage job whose grow blocks (as libvirt's does, not ending when interrupted). */
    private StorageJob startJobOnANodeThatWaits(Duration waitPerShutdownPhase) throws InterruptedException {
        StoragePort storage = mock(StoragePort.class);
        when(storage.volume("h", "p", "v")).thenReturn(new StorageVolume("h", "p", "v", "/p/v", "raw", GIB, GIB, null));
        doAnswer(i -> {
            growing.countDown();
            while (true) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                        return null;
                    }
                } catch (InterruptedException e) {
                    // libvirt's call goes on
                }
            }
        }).when(storage).grow(anyString(), anyString(), anyString(), anyLong(), anyBoolean());

        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "vdresize.storage.heartbeat", BEAT.toString(), "vdresize.storage.threads", "1")));
        DefaultLifecycleProcessor lifecycle = new DefaultLifecycleProcessor();
        lifecycle.setTimeoutPerShutdownPhase(waitPerShutdownPhase.toMillis());
        context.registerBean("lifecycleProcessor", DefaultLifecycleProcessor.class, () -> lifecycle);
        context.registerBean(JdbcTemplate.class, () -> jdbc);
        context.registerBean(StoragePort.class, () -> storage);
        context.registerBean(StorageJobListener.class, () -> resizeId -> { });
        context.registerBean(NodeIdentity.class);
        context.registerBean(Clock.class, Clock::systemUTC);
        context.registerBean(MeterRegistry.class, SimpleMeterRegistry::new);
        context.registerBean(StorageSettings.class, () -> new StorageSettings(Duration.ofSeconds(1),
                Duration.ofMinutes(30), Duration.ofSeconds(15)));
        context.registerBean(ThreadPoolTaskSchedulerBuilder.class, ThreadPoolTaskSchedulerBuilder::new);
        context.register(Properties.class, ExecutorsConfig.class, SchedulingConfig.class);
        context.scan("org.vdresize.storage");
        context.addApplicationListener(new ApplicationListener<ContextClosedEvent>() {
            @Override
            public void onApplicationEvent(ContextClosedEvent event) {
                closeBegan = Instant.now();
            }
        });
        context.refresh();

        StorageJob job = context.getBean(StorageJobService.class).start(TARGET);
        assertThat(growing.await(5, TimeUnit.SECONDS)).as("the grow started").isTrue();
        Instant beating = job.startedAt().plus(BEAT.multipliedBy(2));
        await("the job's heartbeat before the stop").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> heartbeat(job).isAfter(beating));
        return job;
    }

    /** Several beats after the close began: one already under way when it began would prove nothing. */
    private void awaitBeatsAfterTheCloseBegan(StorageJob job) {
        Instant after = closeBegan.plus(BEAT.multipliedBy(3));
        await("the job's heartbeat after " + after).atMost(Duration.ofSeconds(1).plus(BEAT.multipliedBy(3)))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> heartbeat(job).isAfter(after));
    }

    private Thread closeInTheBackground() {
        Thread stop = new Thread(context::close, "test-sigterm");
        stop.start();
        return stop;
    }

    private Instant heartbeat(StorageJob job) {
        return jdbc.queryForObject("select heartbeat_at from vdr_storage_job where id = ?", OffsetDateTime.class,
                job.id()).toInstant();
    }
}
