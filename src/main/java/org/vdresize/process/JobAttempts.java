package org.vdresize.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.runtime.Job;

/**
 * Whether the job now running is its last attempt. The engine turns an exhausted job into an
 * incident; where docs/resize-process.md asks for a modelled path instead (NEEDS_ATTENTION or roll back),
 * the delegate raises the BPMN error on its last attempt. Asked through the public job query, which
 * joins the running command and so sees the job as that command holds it.
 */
final class JobAttempts {

    private JobAttempts() {
    }

    static boolean isLast(DelegateExecution execution) {
        Job job = execution.getProcessEngineServices().getManagementService().createJobQuery()
                .executionId(execution.getId()).singleResult();
        if (job == null) {
            return false; // not run as a job (e.g. a synchronous test): let the exception surface
        }
        return job.getRetries() <= 1;
    }
}
