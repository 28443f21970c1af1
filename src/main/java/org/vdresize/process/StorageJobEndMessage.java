package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.MESSAGE_STORAGE_JOB_ENDED;

import org.camunda.bpm.engine.RuntimeService;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.storage.StorageJobListener;

/**
 * Delivers a storage job's end to its process: Message_StorageJobEnded, correlated to
 * Event_StorageJobEnded behind the event-based gateway, which then goes on to the check at once
 * instead of waiting for the poll interval. The node that ran the job correlates it, so in a
 * cluster it reaches a process whose check ran elsewhere. A process that does not wait there (its
 * check has not committed yet, or the timer fired first) is not correlated: the message is only a
 * shortcut, the check reads the job's row in any case.
 */
@Component
class StorageJobEndMessage implements StorageJobListener {

    private final RuntimeService runtime;
    private final TransactionTemplate ownTransaction;

    StorageJobEndMessage(RuntimeService runtime, PlatformTransactionManager transactions) {
        this.runtime = runtime;
        // also called after another transaction's commit (a check that found the job running):
        // a transaction of its own, so that the correlation commits and wakes the job executor
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public void storageJobEnded(String resizeId) {
        ownTransaction.executeWithoutResult(status -> runtime.createMessageCorrelation(MESSAGE_STORAGE_JOB_ENDED)
                .processInstanceId(resizeId).correlateAllWithResult());
    }
}
