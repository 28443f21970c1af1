package org.vdresize.process;

import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutorContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;

/**
 * Whether the job now running is its last attempt. The engine turns an exhausted job into an
 * incident; where docs/resize-process.md asks for a modelled path instead (NEEDS_ATTENTION or roll back),
 * the delegate raises the BPMN error on its last attempt.
 */
final class JobAttempts {

    private JobAttempts() {
    }

    static boolean isLast() {
        JobExecutorContext context = Context.getJobExecutorContext();
        if (context == null || context.getCurrentJob() == null) {
            return false; // not run by the job executor (e.g. a synchronous test): let the exception surface
        }
        JobEntity job = context.getCurrentJob();
        return job.getRetries() <= 1;
    }
}
