package org.vdresize.watch;

import java.time.Instant;
import java.util.List;

/**
 * A watch as {@code GET /api/watches/{id}} answers it.
 *
 * @param disk    the disk's path
 * @param vm      the VM whose guest is sampled
 * @param resizes the ids of the resizes this watch started, oldest first
 */
public record WatchView(String id, String disk, String vm, String target, String mountpoint, WatchMode mode,
                        long maxSize, String interval, WatchStatus status, String createdBy, Instant createdAt,
                        String stoppedBy, Instant stoppedAt, Sample lastSample, Decision lastDecision,
                        List<String> resizes) {

    /** The last sample that found a filesystem. */
    public record Sample(Instant at, String mountpoint, long usedBytes, long totalBytes, double usedPercent) {
    }

    /** The last decision of the policy; {@code resizeId}/{@code refusedCode} say what a GROW led to. */
    public record Decision(Instant at, WatchAction action, Long growBy, String reason, String resizeId,
                           String refusedCode) {
    }
}
