package org.vdresize.libvirt;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The thread pools of {@link LibvirtHosts}, as Spring beans: measured ({@code executor_*} in
 * /actuator/prometheus) and shut down by Spring after the beans that use them. Both keep taking work
 * while the context closes, as requests and running steps may still connect to a host then.
 */
@Configuration(proxyBeanMethods = false)
class LibvirtExecutors {

    /**
     * {@link LibvirtHosts}: connects in the background so that a silent host costs a caller a
     * bounded wait. One thread per connect in progress, none kept idle for more than a minute (was a
     * cached pool); a connect hanging on a silent host does not hold up the shutdown.
     */
    @Bean(LibvirtHosts.CONNECTOR)
    ThreadPoolTaskExecutor libvirtConnector() {
        ThreadPoolTaskExecutor executor = servingExecutor("libvirt-connect-");
        executor.setCorePoolSize(0);
        executor.setMaxPoolSize(Integer.MAX_VALUE);
        executor.setQueueCapacity(0);
        executor.setKeepAliveSeconds(60);
        return executor;
    }

    /**
     * {@link LibvirtHosts}: closes retired connections off the caller's thread (a close callback runs
     * inside libvirt's event loop). The closes already handed over are done before the JVM ends.
     */
    @Bean(LibvirtHosts.CLOSER)
    ThreadPoolTaskExecutor libvirtCloser() {
        ThreadPoolTaskExecutor executor = servingExecutor("libvirt-closer-");
        executor.setCorePoolSize(1);
        executor.setMaxPoolSize(1);
        executor.setWaitForTasksToCompleteOnShutdown(true);
        executor.setAwaitTerminationSeconds(5);
        return executor;
    }

    private static ThreadPoolTaskExecutor servingExecutor(String threadNamePrefix) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix(threadNamePrefix);
        executor.setDaemon(true);
        executor.setAcceptTasksAfterContextClose(true);
        return executor;
    }
}
