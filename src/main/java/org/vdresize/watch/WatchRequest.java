package org.vdresize.watch;

import java.time.Duration;

/**
 * A watch as asked for: the disk named in exactly one way (as for a resize), the largest size it
 * may be grown to, the filesystem to look at (null: every filesystem on the disk), the mode and the
 * sample interval.
 */
public record WatchRequest(String vm, String target, String pool, String volume, String path, long maxSize,
                           String mountpoint, WatchMode mode, Duration interval) {
}
