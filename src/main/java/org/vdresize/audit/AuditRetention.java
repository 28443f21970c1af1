package org.vdresize.audit;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.nullableLong;
import static org.vdresize.common.Db.ts;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.common.NodeIdentity;

/**
 * The audit trail's retention: events older than {@code vdresize.audit.retention} are written to a
 * CSV archive file first, and removed from the database only once that file is on disk. Off by
 * default (the trail is kept for ever).
 *
 * <p>What is removed is always the oldest part of the hash chain ({@link AuditChain}), up to the
 * first entry that is not older than the cutoff, so the kept trail is one unbroken chain: its start
 * moves to the last removed entry ({@code vdr_audit_chain.base_seq}/{@code base_hash}), from where
 * {@code GET /api/audit/verify} checks it. A part whose chain is broken is neither archived nor
 * removed: removing it would hide the break. Each removal is one transaction holding the chain
 * head's lock (appends wait meanwhile, and nodes do not remove the same entries twice), is listed
 * in {@code vdr_audit_archive} with the file and its SHA-256, and is itself an audit event,
 * {@code AUDIT_ARCHIVED}. A file whose transaction rolled back is deleted.
 */
@Component
public class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** One archive file and the entries it took out of the database. */
    public record Archive(Path file, String sha256, long events, long firstSeq, long lastSeq, String lastHash,
                          Instant oldestAt, Instant newestAt) {
    }

    private final JdbcTemplate jdbc;
    private final AuditService audit;
    private final RetentionSettings settings;
    private final NodeIdentity node;
    private final Clock clock;
    private final TransactionTemplate tx;

    public AuditRetention(JdbcTemplate jdbc, AuditService audit, RetentionSettings settings, NodeIdentity node,
                          Clock clock, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.settings = settings;
        this.node = node;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactionManager);
    }

    /** The scheduled run: nothing unless a retention is configured. */
    @Scheduled(cron = "${vdresize.audit.retention-schedule:0 30 5 * * *}")
    public List<Archive> applyRetention() {
        if (settings.retention() == null) {
            return List.of();
        }
        Instant cutoff = clock.instant().minus(settings.retention());
        try {
            List<Archive> archives = archiveBefore(cutoff);
            if (!archives.isEmpty()) {
                log.info("audit retention: archived and removed {} events older than {} into {} file(s) in {}",
                        archives.stream().mapToLong(Archive::events).sum(), cutoff, archives.size(),
                        settings.archiveDirectory().toAbsolutePath());
            }
            return archives;
        } catch (RuntimeException e) {
            log.error("audit retention: nothing more removed ({}); the events stay in the database", e.getMessage());
            return List.of();
        }
    }

    /**
     * Archives, then removes, the oldest events up to the first one at or after {@code cutoff}, one
     * file of at most {@code vdresize.audit.retention-batch} events per transaction.
     *
     * @throws IllegalStateException the part to remove is not an intact chain, or a file cannot be written
     */
    public List<Archive> archiveBefore(Instant cutoff) {
        List<Archive> archives = new ArrayList<>();
        Optional<Archive> next;
        do {
            next = Optional.ofNullable(tx.execute(status -> archiveOnePart(cutoff)));
            next.ifPresent(archives::add);
        } while (next.isPresent());
        return archives;
    }

    private Archive archiveOnePart(Instant cutoff) {
        // the chain head's lock: appends and other nodes' retention wait until this part is done
        Chain chain = jdbc.queryForObject("select base_seq, base_hash, last_seq from vdr_audit_chain where id = 1 for update",
                (rs, n) -> new Chain(rs.getLong("base_seq"), rs.getString("base_hash"), rs.getLong("last_seq")));
        long baseSeq = chain.baseSeq();
        Long firstKept = jdbc.queryForObject("select min(seq) from vdr_audit_event where at >= ?", Long.class, ts(cutoff));
        long upTo = Math.min(firstKept == null ? chain.lastSeq() : firstKept - 1, baseSeq + settings.batch());
        if (upTo <= baseSeq) {
            return null;
        }
        Path dir = settings.archiveDirectory();
        Instant now = clock.instant();
        Part part;
        Path file;
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "audit-", ".csv.part");
            part = write(temp, baseSeq, chain.baseHash(), upTo);
            file = dir.resolve("audit-" + (baseSeq + 1) + "-" + upTo + "-" + FILE_TIME.format(now) + ".csv");
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("cannot write the audit archive in " + dir.toAbsolutePath() + ": " + e, e);
        }
        deleteOnRollback(file);
        jdbc.update("delete from vdr_audit_event where seq > ? and seq <= ?", baseSeq, upTo);
        jdbc.update("update vdr_audit_chain set base_seq = ?, base_hash = ? where id = 1", upTo, part.lastHash());
        jdbc.update("insert into vdr_audit_archive (archived_at, node, removed_before, events, first_event_id, last_event_id,"
                        + " first_seq, last_seq, last_hash, oldest_at, newest_at, file, file_sha256)"
                        + " values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                ts(now), node.id(), ts(cutoff), part.events(), part.firstId(), part.lastId(), baseSeq + 1, upTo,
                part.lastHash(), ts(part.oldestAt()), ts(part.newestAt()), file.toAbsolutePath().toString(), part.sha256());
        audit.record(AuditType.AUDIT_ARCHIVED, null, null, null, null, null, null, "entries " + (baseSeq + 1)
                + " to " + upTo + " (" + part.events() + " events from " + part.oldestAt() + " to " + part.newestAt()
                + ", older than " + cutoff + ") archived to " + file.toAbsolutePath() + " (SHA-256 " + part.sha256()
                + ") and removed from the database");
        return new Archive(file, part.sha256(), part.events(), baseSeq + 1, upTo, part.lastHash(), part.oldestAt(),
                part.newestAt());
    }

    private record Chain(long baseSeq, String baseHash, long lastSeq) {
    }

    private record Part(long events, long firstId, long lastId, String lastHash, Instant oldestAt, Instant newestAt,
                        String sha256) {
    }

    /** Writes entries (baseSeq, upTo] as CSV, checking their chain as it goes; flushed to the disk. */
    private Part write(Path temp, long baseSeq, String baseHash, long upTo) throws IOException {
        MessageDigest sha256 = sha256();
        ChainWalk walk = new ChainWalk(baseSeq, baseHash);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(
                    new DigestOutputStream(Channels.newOutputStream(channel), sha256), StandardCharsets.UTF_8));
            out.write(AuditCsvFormat.HEADER);
            out.write(AuditCsvFormat.CRLF);
            jdbc.query(con -> {
                PreparedStatement ps = con.prepareStatement("select * from vdr_audit_event where seq > ? and seq <= ? order by seq");
                ps.setLong(1, baseSeq);
                ps.setLong(2, upTo);
                ps.setFetchSize(500);
                return ps;
            }, (ResultSet rs) -> {
                while (rs.next()) {
                    AuditEvent e = new AuditEvent(instant(rs, "at"), rs.getString("type"), rs.getString("resize_id"),
                            rs.getString("disk"), rs.getString("vm"), rs.getString("user_id"), nullableLong(rs, "old_size"),
                            nullableLong(rs, "new_size"), rs.getString("detail"), nullableLong(rs, "seq"),
                            rs.getString("prev_hash"), rs.getString("hash"));
                    walk.accept(rs.getLong("id"), e);
                    try {
                        out.write(AuditCsvFormat.line(e));
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                }
                return null;
            });
            if (walk.events != upTo - baseSeq) {
                throw new IllegalStateException("the audit trail is broken: entries " + walk.expectedSeq + " to " + upTo
                        + " are missing; nothing archived or removed (GET /api/audit/verify says more)");
            }
            out.flush();
            channel.force(true);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Part(walk.events, walk.firstId, walk.lastId, walk.lastHash, walk.oldestAt, walk.newestAt,
                HexFormat.of().formatHex(sha256.digest()));
    }

    /** The entries to be removed must be an unbroken chain from the trail's start: otherwise removing them hides a break. */
    private static final class ChainWalk {
        long expectedSeq;
        String expectedPrev;
        long events;
        long firstId = -1;
        long lastId;
        String lastHash;
        Instant oldestAt;
        Instant newestAt;

        ChainWalk(long baseSeq, String baseHash) {
            this.expectedSeq = baseSeq + 1;
            this.expectedPrev = baseHash;
        }

        void accept(long id, AuditEvent e) {
            if (e.seq() == null || e.seq() != expectedSeq || !expectedPrev.equals(e.prevHash()) || e.hash() == null
                    || !AuditChain.hash(e.seq(), e.prevHash(), e).equals(e.hash())) {
                throw new IllegalStateException("the audit trail is broken at entry " + expectedSeq + " (id " + id
                        + "); nothing archived or removed (GET /api/audit/verify says more)");
            }
            if (firstId < 0) {
                firstId = id;
            }
            lastId = id;
            events++;
            expectedSeq++;
            expectedPrev = e.hash();
            lastHash = e.hash();
            oldestAt = oldestAt == null || e.at().isBefore(oldestAt) ? e.at() : oldestAt;
            newestAt = newestAt == null || e.at().isAfter(newestAt) ? e.at() : newestAt;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("audit retention: cannot delete {}: {}", file, e.getMessage());
        }
    }

    private static void deleteOnRollback(Path file) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    deleteQuietly(file);
                }
            }
        });
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            log.debug("cannot sync directory {}: {}", dir, e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java has SHA-256", impossible);
        }
    }
}
