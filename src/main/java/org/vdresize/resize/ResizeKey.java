package org.vdresize.resize;

import java.time.Instant;

/**
 * Where a resize stands in the list of resizes, newest first: its start, then its id (unique) among
 * resizes that started at the same instant. Neither ever changes, so a page that starts after a key
 * stays where it was while resizes are added.
 */
public record ResizeKey(Instant startedAt, String id) {
}
