package org.vdresize.resize;

import java.time.Clock;
import java.time.Instant;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.vdresize.audit.AuditService;
import org.vdresize.resize.ResizeRepository.ResizeRow;

/**
 * The one writer of what the steps did ({@link Happened}): the resize's status, the step's words
 * (vdr_step_detail) and the audit entry, in the caller's transaction, so they commit together with
 * the engine's state for that step. A status write is told to the listeners
 * ({@link ResizeStatusChanged}, and {@link ResizeEnded} for a final status), who hear of it only if
 * the transaction commits.
 */
@Component
public class StepRecorder {

    private final ResizeRepository resizes;
    private final AuditService audit;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    public StepRecorder(ResizeRepository resizes, AuditService audit, Clock clock, ApplicationEventPublisher events) {
        this.resizes = resizes;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    public void record(Happened h) {
        if (h.status() != null) {
            status(h.resize(), h.status());
        }
        if (h.stepDetail() != null) {
            resizes.stepDetail(h.step().activityInstanceId(), h.step().resizeId(), h.stepDetail());
        }
        if (h.auditType() != null) {
            audit.record(h.auditType(), h.step().resizeId(), h.resize().diskPath(), h.vm(), h.user(), h.oldSize(), h.newSize(),
                    h.auditDetail());
        }
    }

    /** The time a step's writes carry (an ending's ended_at, a new row's started_at). */
    public Instant now() {
        return clock.instant();
    }

    private void status(ResizeRow r, Happened.StatusChange change) {
        ResizeStatus status = change.status();
        Instant endedAt = status.isFinal() ? clock.instant() : null;
        resizes.updateStatus(r.id(), status, endedAt, change.code(), change.message());
        events.publishEvent(new ResizeStatusChanged(r.id(), status));
        if (status.isFinal()) {
            events.publishEvent(new ResizeEnded(r.id(), status, r.noop(), r.startedAt(), endedAt));
        }
    }
}
