package org.vdresize.watch;

import java.time.Instant;

/** The sort key of the watch list: newest first, by creation time and then id. */
public record WatchKey(Instant createdAt, String id) {
}
