package org.vdresize.watch;

import java.time.Duration;
import java.time.Instant;

/** A watch's row in vdr_watch. */
public record Watch(String id, String vm, String target, String pool, String volume, String path, String diskPath,
                    String vmName, String vmUuid, String mountpoint, WatchMode mode, long maxSize, Duration interval,
                    WatchStatus status, String createdBy, Instant createdAt, String stoppedBy, Instant stoppedAt,
                    String processInstanceId) {

    /** The user a watch's resizes are requested by (their requestedBy). */
    public String requester() {
        return "watch:" + id;
    }
}
