package org.vdresize.audit;

/**
 * What {@code GET /api/audit/verify} found: the trail INTACT with {@code entries} entries (the last
 * one {@code lastSeq} with {@code lastHash}), or BROKEN at {@code firstBrokenEntry}, after
 * {@code entries} intact ones.
 */
public record AuditVerification(Status status, long entries, Long lastSeq, String lastHash, BrokenEntry firstBrokenEntry) {

    public enum Status { INTACT, BROKEN }

    /** What was done to the trail behind the application's back, at its first place. */
    public enum Problem {
        /** the entry's fields or hash are not those it was written with */
        CHANGED,
        /** entries are missing: a gap in seq, or the newest ones */
        REMOVED,
        /** an entry that the application did not write */
        INSERTED
    }

    /**
     * The first entry where the chain breaks: its {@code seq} (for REMOVED the first missing one),
     * its database {@code id} (null for REMOVED: the row is gone) and what is wrong, in words.
     */
    public record BrokenEntry(long seq, Long id, Problem problem, String detail) {
    }

    static AuditVerification intact(long entries, long lastSeq, String lastHash) {
        return new AuditVerification(Status.INTACT, entries, lastSeq, lastHash, null);
    }

    static AuditVerification broken(long entries, BrokenEntry first) {
        return new AuditVerification(Status.BROKEN, entries, null, null, first);
    }
}
