package org.vdresize.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vdresize.audit.AuditChainCheck.Row;
import org.vdresize.audit.AuditVerification.BrokenEntry;
import org.vdresize.audit.AuditVerification.Problem;
import org.vdresize.audit.AuditVerification.Status;

class AuditChainCheckTest {

    static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");

    /** A trail of n entries, ids 100 + seq. */
    static List<Row> trail(int n) {
        List<Row> rows = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int seq = 1; seq <= n; seq++) {
            AuditEvent e = event(seq, "detail " + seq).chained(seq, prev);
            rows.add(new Row(100 + seq, e));
            prev = e.hash();
        }
        return rows;
    }

    static AuditEvent event(int i, String detail) {
        return new AuditEvent(T0.plusSeconds(i), "RESIZE_REQUESTED", "pi-" + i, "/d" + i, "vm", "demo", 1L, 2L, detail);
    }

    static AuditVerification walk(List<Row> rows, long headSeq, String headHash) {
        AuditChainCheck check = new AuditChainCheck(0, AuditChain.GENESIS, headSeq, headHash);
        for (Row r : rows) {
            if (!check.accept(r)) {
                break;
            }
        }
        return check.finish();
    }

    static AuditVerification walk(List<Row> rows) {
        Row last = rows.get(rows.size() - 1);
        return walk(rows, last.event().seq(), last.event().hash());
    }

    /** Row r with its fields replaced, seq/prevHash/hash kept (or the hash recomputed). */
    static Row edited(Row r, String detail, boolean rehash) {
        AuditEvent e = r.event();
        AuditEvent changed = new AuditEvent(e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(), e.oldSize(),
                e.newSize(), detail, e.seq(), e.prevHash(), rehash ? AuditChain.hash(e.seq(), e.prevHash(),
                new AuditEvent(e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(), e.oldSize(), e.newSize(), detail))
                : e.hash());
        return new Row(r.id(), changed);
    }

    @Test
    void anUntouchedTrailIsIntact() {
        List<Row> rows = trail(5);
        AuditVerification v = walk(rows);
        assertThat(v.status()).isEqualTo(Status.INTACT);
        assertThat(v.entries()).isEqualTo(5);
        assertThat(v.lastSeq()).isEqualTo(5);
        assertThat(v.lastHash()).isEqualTo(rows.get(4).event().hash());
        assertThat(v.firstBrokenEntry()).isNull();
    }

    @Test
    void anEmptyTrailIsIntact() {
        AuditVerification v = walk(List.of(), 0, AuditChain.GENESIS);
        assertThat(v.status()).isEqualTo(Status.INTACT);
        assertThat(v.entries()).isZero();
    }

    @Test
    void aChangedFieldNamesThatEntry() {
        List<Row> rows = trail(5);
        rows.set(2, edited(rows.get(2), "nothing to see", false));
        assertBroken(walk(rows), 3, 103L, Problem.CHANGED, 2);
    }

    @Test
    void aChangedLastEntryIsFoundToo() {
        List<Row> rows = trail(5);
        String headHash = rows.get(4).event().hash();
        rows.set(4, edited(rows.get(4), "nothing to see", false));
        assertBroken(walk(rows, 5, headHash), 5, 105L, Problem.CHANGED, 4);
    }

    @Test
    void aChangedEntryGivenANewHashIsNamedByTheNextEntrysLink() {
        List<Row> rows = trail(5);
        rows.set(1, edited(rows.get(1), "nothing to see", true));
        BrokenEntry b = assertBroken(walk(rows), 2, 102L, Problem.CHANGED, 1);
        assertThat(b.detail()).contains("rewritten with a new hash").contains("entry 3 (id 103)");
    }

    @Test
    void theLastEntryGivenANewHashDiffersFromTheHead() {
        List<Row> rows = trail(5);
        String headHash = rows.get(4).event().hash();
        rows.set(4, edited(rows.get(4), "nothing to see", true));
        assertBroken(walk(rows, 5, headHash), 5, 105L, Problem.CHANGED, 4);
    }

    @Test
    void aRemovedEntryIsAGap() {
        List<Row> rows = trail(5);
        rows.remove(2);
        BrokenEntry b = assertBroken(walk(rows), 3, null, Problem.REMOVED, 2);
        assertThat(b.detail()).isEqualTo("entry 3 is missing: entry 4 (id 104) follows entry 2 (id 102)");
    }

    @Test
    void removedNewestEntriesAreFoundByTheHead() {
        List<Row> rows = trail(5);
        String headHash = rows.get(4).event().hash();
        List<Row> shortened = rows.subList(0, 3);
        BrokenEntry b = assertBroken(walk(shortened, 5, headHash), 4, null, Problem.REMOVED, 3);
        assertThat(b.detail()).startsWith("entries 4 to 5 are missing");
    }

    @Test
    void anInsertedEntryIsSkippedByTheNextOne() {
        // a forged entry 3 chained to entry 2 with a correct hash; the old 3.. renumbered 4..
        List<Row> rows = trail(5);
        AuditEvent forged = event(99, "forged").chained(3, rows.get(1).event().hash());
        List<Row> tampered = new ArrayList<>(rows.subList(0, 2));
        tampered.add(new Row(200, forged));
        for (Row r : rows.subList(2, 5)) {
            AuditEvent e = r.event();
            tampered.add(new Row(r.id(), new AuditEvent(e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(),
                    e.oldSize(), e.newSize(), e.detail(), e.seq() + 1, e.prevHash(), e.hash())));
        }
        assertBroken(walk(tampered, 6, "x"), 3, 200L, Problem.INSERTED, 2);
    }

    @Test
    void anEntryWithoutAPlaceInTheChainWasInserted() {
        List<Row> rows = trail(3);
        rows.add(new Row(300, event(7, "forged")));
        Row last = rows.get(2);
        assertBroken(walk(rows, 3, last.event().hash()), 4, 300L, Problem.INSERTED, 3);
    }

    @Test
    void aSecondEntryWithTheSameSeqWasInserted() {
        List<Row> rows = trail(3);
        rows.add(2, new Row(300, event(7, "forged").chained(2, rows.get(0).event().hash())));
        assertBroken(walk(rows, 3, rows.get(3).event().hash()), 2, 300L, Problem.INSERTED, 2);
    }

    @Test
    void aFirstEntryNotChainedToTheGenesisIsBroken() {
        List<Row> rows = trail(3);
        AuditEvent e = event(1, "detail 1").chained(1, "f".repeat(64));
        rows.set(0, new Row(101, e));
        assertThat(walk(rows).status()).isEqualTo(Status.BROKEN);
        assertThat(walk(rows).firstBrokenEntry().seq()).isEqualTo(1);
    }

    @Test
    void aTrailStartsAtItsBase() {
        List<Row> rows = trail(6);
        Row base = rows.get(2);
        AuditChainCheck check = new AuditChainCheck(3, base.event().hash(), 6, rows.get(5).event().hash());
        rows.subList(3, 6).forEach(check::accept);
        AuditVerification v = check.finish();
        assertThat(v.status()).isEqualTo(Status.INTACT);
        assertThat(v.entries()).isEqualTo(3);
    }

    @Test
    void anEntryBeyondTheHeadWasInserted() {
        List<Row> rows = trail(3);
        AuditChainCheck check = new AuditChainCheck(0, AuditChain.GENESIS, 3, rows.get(2).event().hash());
        rows.forEach(check::accept);
        AuditVerification v = check.beyondHead(check.finish(), 400, 4, 3);
        assertBroken(v, 4, 400L, Problem.INSERTED, 3);
    }

    private static BrokenEntry assertBroken(AuditVerification v, long seq, Long id, Problem problem, long intactBefore) {
        assertThat(v.status()).as(v.toString()).isEqualTo(Status.BROKEN);
        BrokenEntry b = v.firstBrokenEntry();
        assertThat(b.seq()).as(b.toString()).isEqualTo(seq);
        assertThat(b.id()).as(b.toString()).isEqualTo(id);
        assertThat(b.problem()).as(b.toString()).isEqualTo(problem);
        assertThat(v.entries()).as(b.toString()).isEqualTo(intactBefore);
        return b;
    }
}
