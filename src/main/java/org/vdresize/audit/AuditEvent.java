package org.vdresize.audit;

import java.time.Instant;

/**
 * One business fact of the audit trail (api-contract.md, "Inventory and audit"), with its place in
 * the hash chain ({@link AuditChain}): {@code seq} counts the entries of the trail without gaps,
 * {@code hash} covers this entry's fields and {@code prevHash}, the hash of the entry before.
 * The three are null for an event not yet written.
 */
public record AuditEvent(Instant at, String type, String resizeId, String disk, String vm, String user,
                         Long oldSize, Long newSize, String detail, Long seq, String prevHash, String hash) {

    /** An event not yet written to the trail. */
    public AuditEvent(Instant at, String type, String resizeId, String disk, String vm, String user,
                      Long oldSize, Long newSize, String detail) {
        this(at, type, resizeId, disk, vm, user, oldSize, newSize, detail, null, null, null);
    }

    /** This event as entry {@code seq} of the trail, chained to {@code prevHash}. */
    AuditEvent chained(long seq, String prevHash) {
        return new AuditEvent(at, type, resizeId, disk, vm, user, oldSize, newSize, detail, seq, prevHash,
                AuditChain.hash(seq, prevHash, this));
    }
}
