package org.vdresize.audit;

import org.vdresize.audit.AuditVerification.BrokenEntry;
import org.vdresize.audit.AuditVerification.Problem;

/**
 * Walks the entries of a trail in seq order, one at a time (nothing is kept but the last two), and
 * finds the first place where the chain breaks. A problem is classified with one entry of look-ahead
 * and one back: an entry the next one skips (it chains to the entry before) was inserted; an entry whose own hash
 * does not match its fields was changed; an entry that matches its own hash but the next entry does
 * not chain to was changed and given a new hash; a gap in seq, or a head beyond the last entry, is a
 * removal.
 */
final class AuditChainCheck {

    /** An entry as read from the table; {@code event} holds seq, prevHash and hash (any may be null). */
    record Row(long id, AuditEvent event) {
    }

    private final long headSeq;
    private final String headHash;
    private long expectedSeq;
    private String expectedPrev;
    private Row previous;
    /** the hash the previous entry chained to */
    private String beforePrevious;
    private Row held;
    private long entries;
    private BrokenEntry broken;

    /**
     * @param baseSeq  the seq after which the trail starts (0 unless older entries were archived)
     * @param baseHash the hash the first entry chains to ({@link AuditChain#GENESIS} for seq 0)
     * @param headSeq  the trail's last entry, as the chain head recorded it when the walk began
     * @param headHash that entry's hash
     */
    AuditChainCheck(long baseSeq, String baseHash, long headSeq, String headHash) {
        this.expectedSeq = baseSeq + 1;
        this.expectedPrev = baseHash;
        this.headSeq = headSeq;
        this.headHash = headHash;
    }

    /** The next row in seq order; false once the chain is broken (the rest need not be read). */
    boolean accept(Row row) {
        if (broken == null && held != null) {
            check(held, row);
        }
        held = row;
        return broken == null;
    }

    /** After the last row: the result. */
    AuditVerification finish() {
        if (broken == null && held != null) {
            check(held, null);
        }
        if (broken == null && expectedSeq <= headSeq) {
            broken = new BrokenEntry(expectedSeq, null, Problem.REMOVED, range(expectedSeq, headSeq)
                    + " missing: the trail recorded " + headSeq + " entries, the last one present is "
                    + describe(previous));
        }
        if (broken != null) {
            return AuditVerification.broken(entries, broken);
        }
        return AuditVerification.intact(entries, expectedSeq - 1, expectedPrev);
    }

    /** A row found beyond the chain head after the walk: the application did not append it. */
    AuditVerification beyondHead(AuditVerification result, long id, long seq, long headSeqNow) {
        if (result.status() == AuditVerification.Status.BROKEN) {
            return result;
        }
        return AuditVerification.broken(entries, new BrokenEntry(seq, id, Problem.INSERTED,
                "entry " + seq + " (id " + id + ") lies beyond the trail's last entry " + headSeqNow
                        + ": vdresize did not write it"));
    }

    private void check(Row r, Row next) {
        AuditEvent e = r.event();
        if (e.seq() == null || e.hash() == null || e.prevHash() == null) {
            broken = new BrokenEntry(e.seq() == null ? expectedSeq : e.seq(), r.id(), Problem.INSERTED,
                    "entry id " + r.id() + " has no place in the chain (seq, prevHash or hash missing): vdresize did not write it");
            return;
        }
        long seq = e.seq();
        if (seq < expectedSeq) {
            broken = new BrokenEntry(seq, r.id(), Problem.INSERTED, "entry id " + r.id() + " is a second entry " + seq);
            return;
        }
        if (seq > expectedSeq) {
            broken = new BrokenEntry(expectedSeq, null, Problem.REMOVED, range(expectedSeq, seq - 1)
                    + " missing: entry " + seq + " (id " + r.id() + ") follows " + describe(previous));
            return;
        }
        boolean selfOk = AuditChain.hash(seq, e.prevHash(), e).equals(e.hash());
        boolean linkOk = e.prevHash().equals(expectedPrev);
        if (selfOk && linkOk) {
            if (seq == headSeq && !e.hash().equals(headHash)) {
                broken = new BrokenEntry(seq, r.id(), Problem.CHANGED, "entry " + seq + " (id " + r.id()
                        + ") is not the one the trail recorded as its last: its hash was " + headHash + ", now " + e.hash());
                return;
            }
            entries++;
            previous = r;
            beforePrevious = expectedPrev;
            expectedPrev = e.hash();
            expectedSeq++;
            return;
        }
        if (next != null && next.event().prevHash() != null && next.event().prevHash().equals(expectedPrev)) {
            broken = new BrokenEntry(seq, r.id(), Problem.INSERTED, "entry " + seq + " (id " + r.id()
                    + ") is not part of the chain: the next entry chains to " + describe(previous) + " before it");
        } else if (previous != null && e.prevHash().equals(beforePrevious)) {
            entries--;
            long prevSeq = previous.event().seq();
            broken = new BrokenEntry(prevSeq, previous.id(), Problem.INSERTED, "entry " + prevSeq + " (id " + previous.id()
                    + ") is not part of the chain: entry " + seq + " (id " + r.id() + ") chains to the entry before it");
        } else if (!selfOk) {
            broken = new BrokenEntry(seq, r.id(), Problem.CHANGED, "entry " + seq + " (id " + r.id()
                    + ") does not match its hash: its fields or its hash were changed"
                    + (linkOk ? "" : ", and it does not chain to " + describe(previous)));
        } else if (previous != null) {
            entries--;
            long prevSeq = previous.event().seq();
            broken = new BrokenEntry(prevSeq, previous.id(), Problem.CHANGED, "entry " + prevSeq + " (id "
                    + previous.id() + ") was rewritten with a new hash: entry " + seq + " (id " + r.id()
                    + ") chains to " + e.prevHash() + ", not to its hash " + previous.event().hash());
        } else {
            broken = new BrokenEntry(seq, r.id(), Problem.CHANGED, "entry " + seq + " (id " + r.id()
                    + ") does not chain to the start of the trail (" + expectedPrev + ")");
        }
    }

    private static String range(long from, long to) {
        return from == to ? "entry " + from + " is" : "entries " + from + " to " + to + " are";
    }

    private static String describe(Row row) {
        return row == null ? "the start of the trail" : "entry " + row.event().seq() + " (id " + row.id() + ")";
    }
}
