package org.vdresize.resize;

import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.lock.DiskLockService;
import org.vdresize.resize.ResizeRepository.ResizeRow;

/**
 * A resize whose process instance was cancelled (in Cockpit, through engine-rest) ran none of its
 * own steps to the end, so nothing marked it: it would read RUNNING for ever and hold its disk's
 * lock. This finds such resizes and ends them FAILED (error CANCELLED, who and why as recorded when
 * the instance was cancelled, {@link ResizeProcessPort#cancellation}), audited as RESIZE_FAILED, and
 * frees the lock. The disk is left as the
 * cancelled steps left it; the error says so, and the VMs' rows what each saw.
 *
 * <p>Every node looks; the status is changed only where it still is what was read, so one node
 * writes the ending.
 */
@Component
public class CancelledResizes {

    private static final Logger log = LoggerFactory.getLogger(CancelledResizes.class);

    private final ResizeRepository resizes;
    private final ResizeProcessPort process;
    private final DiskLockService locks;
    private final AuditService audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final TransactionTemplate tx;

    public CancelledResizes(ResizeRepository resizes, ResizeProcessPort process, DiskLockService locks, AuditService audit,
                            ApplicationEventPublisher events, Clock clock, PlatformTransactionManager transactionManager) {
        this.resizes = resizes;
        this.process = process;
        this.locks = locks;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactionManager);
    }

    /** @return how many resizes it ended */
    @Scheduled(initialDelayString = "PT30S", fixedDelayString = "${vdresize.cancelled-check-interval:PT30S}")
    public int endCancelled() {
        int ended = 0;
        for (ResizeRow r : resizes.open()) {
            try {
                ended += process.cancellation(r.id()).map(c -> end(r, c) ? 1 : 0).orElse(0);
            } catch (RuntimeException e) {
                log.warn("[{}] could not check whether resize {} was cancelled: {}", r.diskPath(), r.id(), e.getMessage());
            }
        }
        return ended;
    }

    private boolean end(ResizeRow r, ResizeProcessPort.Cancellation c) {
        Instant now = clock.instant();
        String by = c.user() == null ? "" : " by " + c.user();
        String message = "the process instance was cancelled" + by + (c.reason() == null ? "" : " (" + c.reason() + ")")
                + "; the disk is as the steps done before left it: see the steps and the VMs";
        Boolean changed = tx.execute(status -> {
            if (!resizes.updateStatusIf(r.id(), r.status(), ResizeStatus.FAILED, now, FailureCode.CANCELLED, message)) {
                return false; // another node, or the resize's own step, got there first
            }
            locks.release(r.diskPath(), r.id());
            audit.record(AuditType.RESIZE_FAILED, r.id(), r.diskPath(), null, c.user() != null ? c.user() : r.requestedBy(),
                    r.oldSize(), r.newSize(), FailureCode.CANCELLED + ": " + message);
            events.publishEvent(new ResizeEnded(r.id(), ResizeStatus.FAILED, r.noop(), r.startedAt(), now));
            events.publishEvent(new ResizeStatusChanged(r.id(), ResizeStatus.FAILED));
            return true;
        });
        if (Boolean.TRUE.equals(changed)) {
            log.warn("[{}] resize {} FAILED: {}", r.diskPath(), r.id(), message);
            return true;
        }
        return false;
    }
}
