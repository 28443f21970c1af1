package org.vdresize.testsupport;

import java.util.concurrent.Executor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Executors shaped like the application's beans (config.ExecutorsConfig), for tests that build
 * adapters without Spring. Daemon threads, shared by every such test of a JVM; never shut down.
 */
public final class TestExecutors {

    /** like {@code libvirtConnector}: a thread per task, idle ones end after a minute */
    public static final Executor LIBVIRT_CONNECTOR = executor("test-libvirt-connect-", 0, Integer.MAX_VALUE, 0);
    /** like {@code libvirtCloser}: one thread, tasks in order */
    public static final Executor LIBVIRT_CLOSER = executor("test-libvirt-closer-", 1, 1, Integer.MAX_VALUE);

    private TestExecutors() {
    }

    private static Executor executor(String prefix, int core, int max, int queue) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix(prefix);
        executor.setDaemon(true);
        executor.setCorePoolSize(core);
        executor.setMaxPoolSize(max);
        executor.setQueueCapacity(queue);
        executor.initialize();
        return executor;
    }
}
