package org.vdresize.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The hash chain of the audit trail (docs/architecture.md, "Audit trail"; ADR 0006).
 *
 * <p>Entry {@code seq} (1, 2, 3, ... without gaps) has
 * {@code hash = hex(SHA-256(UTF-8(canonical)))}, where {@code canonical} is the netstrings
 * ({@code <length in UTF-8 bytes>:<text>,}) of, in this order: the previous entry's hash
 * ({@link #GENESIS} for entry 1), seq, at, type, resizeId, disk, vm, user, oldSize, newSize,
 * detail. Numbers are decimal; {@code at} is ISO-8601 in UTC as {@link Instant#toString()} writes
 * it, to the microsecond (what H2 and PostgreSQL store); an absent value is the empty text. The
 * length prefixes make the split between fields part of what is hashed: text moved from one field
 * to the next changes the hash. The same texts are the cells of the CSV export, so an exported
 * file can be checked without the application.
 */
public final class AuditChain {

    /** The "previous hash" of the first entry of a trail. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** The hash of the event as entry {@code seq} after an entry whose hash is {@code prevHash}. */
    public static String hash(long seq, String prevHash, AuditEvent e) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical(seq, prevHash, e).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java has SHA-256", impossible);
        }
    }

    /** The text that is hashed (see the class comment). */
    static String canonical(long seq, String prevHash, AuditEvent e) {
        StringBuilder text = new StringBuilder(256);
        for (Object field : new Object[] {prevHash, seq, e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(),
                e.oldSize(), e.newSize(), e.detail()}) {
            String value = field == null ? "" : field.toString();
            text.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append(',');
        }
        return text.toString();
    }

    /** An instant as the databases store it (microseconds), so that the hash covers what is read back. */
    static Instant storable(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
