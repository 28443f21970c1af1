package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vdresize.audit.AuditChain;
import org.vdresize.audit.AuditEvent;

/**
 * The audit trail becomes a hash chain ({@link AuditChain}, ADR 0006): every entry gets its place
 * ({@code seq}), the hash of the entry before and its own hash, and {@code vdr_audit_chain} holds the
 * chain head (last seq and hash) whose row lock serialises appends on every node.
 *
 * <p>Entries written before this migration are chained here, in the order the trail listed them
 * (time, then id), with the same hash as a new entry. So the chain proves that they were not changed
 * after the upgrade; it cannot prove anything about the time before. A Java migration (not SQL), so
 * that exactly the application's hash function is used, on H2 and PostgreSQL alike; it lives where
 * Flyway looks for migrations ({@code db/migration}).
 */
public class V3__Audit_hash_chain extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V3__Audit_hash_chain.class);
    private static final int BATCH = 500;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("alter table vdr_audit_event add column seq bigint");
            s.execute("alter table vdr_audit_event add column prev_hash varchar(64)");
            s.execute("alter table vdr_audit_event add column hash varchar(64)");
            // one row: the trail's last entry, and where it starts (base: 0 and the genesis hash unless
            // the oldest entries were archived and deleted)
            s.execute("create table vdr_audit_chain (id integer not null primary key, last_seq bigint not null,"
                    + " last_hash varchar(64) not null, base_seq bigint not null, base_hash varchar(64) not null,"
                    + " constraint vdr_audit_chain_one_row check (id = 1))");
        }
        long seq = 0;
        String prev = AuditChain.GENESIS;
        try (PreparedStatement read = c.prepareStatement("select id, at, type, resize_id, disk, vm, user_id, old_size,"
                + " new_size, detail from vdr_audit_event order by at, id");
             PreparedStatement write = c.prepareStatement("update vdr_audit_event set seq = ?, prev_hash = ?, hash = ? where id = ?")) {
            read.setFetchSize(BATCH);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    AuditEvent e = new AuditEvent(rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("type"),
                            rs.getString("resize_id"), rs.getString("disk"), rs.getString("vm"), rs.getString("user_id"),
                            longOrNull(rs, "old_size"), longOrNull(rs, "new_size"), rs.getString("detail"));
                    String hash = AuditChain.hash(++seq, prev, e);
                    write.setLong(1, seq);
                    write.setString(2, prev);
                    write.setString(3, hash);
                    write.setLong(4, rs.getLong("id"));
                    write.addBatch();
                    if (seq % BATCH == 0) {
                        write.executeBatch();
                    }
                    prev = hash;
                }
            }
            write.executeBatch();
        }
        try (PreparedStatement head = c.prepareStatement("insert into vdr_audit_chain (id, last_seq, last_hash, base_seq, base_hash)"
                + " values (1, ?, ?, 0, ?)")) {
            head.setLong(1, seq);
            head.setString(2, prev);
            head.setString(3, AuditChain.GENESIS);
            head.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
            s.execute("alter table vdr_audit_event alter column seq set not null");
            s.execute("alter table vdr_audit_event alter column prev_hash set not null");
            s.execute("alter table vdr_audit_event alter column hash set not null");
            s.execute("create unique index vdr_audit_seq on vdr_audit_event (seq)");
        }
        log.info("audit trail: {} existing entries chained (last hash {})", seq, prev);
    }

    private static Long longOrNull(ResultSet rs, String column) throws java.sql.SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
