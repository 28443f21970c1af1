package org.vdresize.resize;

import java.time.Instant;

/**
 * Published by {@link StepRecorder} (and {@link CancelledResizes}) when it writes a final status. Listeners that count outcomes
 * take it after the commit ({@code @TransactionalEventListener}): a step whose transaction rolls
 * back (a failed job, a REST start answered with a rejection) has ended nothing.
 *
 * @param startedAt when the resize was accepted (its row's started_at)
 * @param endedAt   when it reached {@code status}
 */
public record ResizeEnded(String resizeId, ResizeStatus status, boolean noop, Instant startedAt, Instant endedAt) {

    public ResizeEnded {
        if (!status.isFinal()) {
            throw new IllegalArgumentException(status + " is not a final status");
        }
    }
}
