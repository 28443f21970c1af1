package org.vdresize.config;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.stereotype.Component;

/**
 * Puts the engine's job executor into Spring's shutdown order (docs/operator-guide.md, "Stopping a
 * node"): after the web server has finished its requests, the job executor stops acquiring jobs,
 * before Spring's executors (at {@link ExecutorConfigurationSupport#DEFAULT_PHASE}) wait for the
 * steps and storage jobs already running. Without this, it would go on acquiring until the engine
 * closes, handing jobs to an executor that no longer takes them: they would stay locked for the job
 * lock time, on this node's name.
 */
@Component
public class JobExecutorShutdownPlugin extends AbstractProcessEnginePlugin implements SmartLifecycle {

    /** after the web server's graceful shutdown and stop, before the executors' wait */
    static final int PHASE = ExecutorConfigurationSupport.DEFAULT_PHASE + 1024;

    private static final Logger log = LoggerFactory.getLogger(JobExecutorShutdownPlugin.class);

    private volatile JobExecutor jobExecutor;

    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        jobExecutor = configuration.getJobExecutor();
    }

    /** The engine starts its job executor when it is built (camunda.bpm.job-execution.enabled). */
    @Override
    public void start() {
    }

    @Override
    public void stop() {
        JobExecutor executor = jobExecutor;
        if (executor != null && executor.isActive()) {
            executor.shutdown();
            log.info("job executor stopped: this node acquires no more jobs; the steps already running finish");
        }
    }

    @Override
    public boolean isRunning() {
        JobExecutor executor = jobExecutor;
        return executor != null && executor.isActive();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
