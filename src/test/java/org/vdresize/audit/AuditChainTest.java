package org.vdresize.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    static final Instant AT = Instant.parse("2026-01-31T12:00:00.123456Z");
    static final AuditEvent EVENT = new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", "/var/lib/libvirt/images/d1.qcow2",
            "vm1", "demo", 1073741824L, null, "größer, \"bitte\"\nnow");

    @Test
    void theCanonicalTextIsTheNetstringsOfPrevHashAndTheFieldsInTheirOrder() {
        assertThat(AuditChain.canonical(1, AuditChain.GENESIS, EVENT)).isEqualTo("64:" + "0".repeat(64) + ",1:1,"
                + "27:2026-01-31T12:00:00.123456Z,16:RESIZE_REQUESTED,4:pi-1,32:/var/lib/libvirt/images/d1.qcow2,3:vm1,"
                + "4:demo,10:1073741824,0:,"
                // lengths in UTF-8 bytes: ö and ß are two bytes each
                + "21:größer, \"bitte\"\nnow,");
    }

    @Test
    void theHashIsSha256OfTheUtf8TextInLowerCaseHex() {
        // computed independently: python3 hashlib.sha256 over the same netstrings (docs/operator-guide.md)
        assertThat(AuditChain.hash(1, AuditChain.GENESIS, EVENT))
                .isEqualTo("3394b677160ff79025763fc8adfb2648a72d7c534637235647f71ec83d97644d");
    }

    @Test
    void everyFieldSeqAndThePreviousHashAreCovered() {
        String hash = AuditChain.hash(1, AuditChain.GENESIS, EVENT);
        assertThat(AuditChain.hash(2, AuditChain.GENESIS, EVENT)).isNotEqualTo(hash);
        assertThat(AuditChain.hash(1, "1" + AuditChain.GENESIS.substring(1), EVENT)).isNotEqualTo(hash);
        AuditEvent[] changed = {
                new AuditEvent(AT.plusNanos(1000), "RESIZE_REQUESTED", "pi-1", EVENT.disk(), "vm1", "demo", 1073741824L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REJECTED", "pi-1", EVENT.disk(), "vm1", "demo", 1073741824L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-2", EVENT.disk(), "vm1", "demo", 1073741824L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", "/other", "vm1", "demo", 1073741824L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", EVENT.disk(), "vm2", "demo", 1073741824L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", EVENT.disk(), "vm1", "mallory", 1073741824L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", EVENT.disk(), "vm1", "demo", 1073741825L, null, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", EVENT.disk(), "vm1", "demo", 1073741824L, 1L, EVENT.detail()),
                new AuditEvent(AT, "RESIZE_REQUESTED", "pi-1", EVENT.disk(), "vm1", "demo", 1073741824L, null, "other")};
        for (AuditEvent e : changed) {
            assertThat(AuditChain.hash(1, AuditChain.GENESIS, e)).as(e.toString()).isNotEqualTo(hash);
        }
    }

    @Test
    void textMovedFromOneFieldToTheNextChangesTheHash() {
        AuditEvent a = new AuditEvent(AT, "T", null, null, "vm1,4:demo", "", null, null, null);
        AuditEvent b = new AuditEvent(AT, "T", null, null, "vm1", "demo", null, null, null);
        assertThat(AuditChain.hash(1, AuditChain.GENESIS, a)).isNotEqualTo(AuditChain.hash(1, AuditChain.GENESIS, b));
    }

    @Test
    void absentIsTheEmptyText() {
        AuditEvent absent = new AuditEvent(AT, "T", null, null, null, null, null, null, null);
        AuditEvent empty = new AuditEvent(AT, "T", "", "", "", "", null, null, "");
        assertThat(AuditChain.hash(1, AuditChain.GENESIS, absent)).isEqualTo(AuditChain.hash(1, AuditChain.GENESIS, empty));
    }

    @Test
    void theTimeIsHashedAsStoredToTheMicrosecond() {
        assertThat(AuditChain.storable(Instant.parse("2026-01-31T12:00:00.123456789Z")))
                .isEqualTo(Instant.parse("2026-01-31T12:00:00.123456Z"));
        assertThat(AuditChain.canonical(1, AuditChain.GENESIS,
                new AuditEvent(Instant.parse("2026-01-31T12:00:00Z"), "T", null, null, null, null, null, null, null)))
                .contains(",20:2026-01-31T12:00:00Z,");
    }

    @Test
    void chainedFillsSeqPrevHashAndHash() {
        AuditEvent e = EVENT.chained(7, "ab".repeat(32));
        assertThat(e.seq()).isEqualTo(7);
        assertThat(e.prevHash()).isEqualTo("ab".repeat(32));
        assertThat(e.hash()).isEqualTo(AuditChain.hash(7, "ab".repeat(32), EVENT)).hasSize(64);
    }
}
