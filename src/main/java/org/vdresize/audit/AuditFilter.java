package org.vdresize.audit;

import java.time.Instant;

/**
 * Which entries of the audit trail to read; every field may be null (no filter).
 *
 * @param disk     a disk's path
 * @param from     at or after this instant
 * @param to       at or before this instant
 * @param type     an {@link AuditType}'s name
 * @param resizeId the id of a resize
 */
public record AuditFilter(String disk, Instant from, Instant to, String type, String resizeId) {

    public static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);
}
