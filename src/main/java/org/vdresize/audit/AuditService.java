package org.vdresize.audit;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.nullableLong;
import static org.vdresize.common.Db.ts;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The business audit trail. Events are written with the caller's transaction, so an event exists
 * exactly when the step it records committed.
 *
 * <p>Each event is an entry of one hash chain ({@link AuditChain}). Appends are serialised by the
 * row lock of the chain head ({@code vdr_audit_chain}, one row: the last seq and hash), taken with
 * {@code SELECT ... FOR UPDATE} on every node. So that the lock is held for the commit only and not
 * for the rest of the caller's work, the events of a transaction are appended just before it
 * commits (after the engine has flushed its own rows): head, entries and head update commit or roll
 * back together, and a rolled-back transaction leaves the chain as it was.
 */
@Service
public class AuditService {

    private static final int FETCH_SIZE = 500;
    private static final String COLUMNS = "id, seq, prev_hash, hash, at, type, resize_id, disk, vm, user_id, old_size, new_size, detail";

    private static final RowMapper<AuditEvent> ROW = (rs, n) -> event(rs);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final TransactionTemplate readOnly;

    public AuditService(JdbcTemplate jdbc, Clock clock, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactionManager);
        this.readOnly = new TransactionTemplate(transactionManager);
        this.readOnly.setReadOnly(true);
        this.readOnly.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    public void record(AuditType type, String resizeId, String disk, String vm, String user,
                       Long oldSize, Long newSize, String detail) {
        AuditEvent event = new AuditEvent(AuditChain.storable(clock.instant()), type.name(), resizeId,
                truncate(disk, 4096), truncate(vm, 255), truncate(user, 255), oldSize, newSize, truncate(detail, 2000));
        if (TransactionSynchronizationManager.isSynchronizationActive()
                && TransactionSynchronizationManager.isActualTransactionActive()) {
            Pending pending = pendingOfThisTransaction();
            if (pending.appended) {
                append(List.of(event));  // recorded by a later beforeCommit callback of the same transaction
            } else {
                pending.events.add(event);
            }
        } else {
            tx.executeWithoutResult(status -> append(List.of(event)));
        }
    }

    /** Events in the order of the trail (oldest first); every argument may be null (no filter). */
    public List<AuditEvent> query(String diskPath, Instant from, Instant to) {
        List<Object> args = new ArrayList<>();
        String sql = select(new AuditFilter(diskPath, from, to, null, null), null, args);
        return jdbc.query(sql, ROW, args.toArray());
    }

    /**
     * Up to {@code max} entries in the order of the trail, after entry {@code afterSeq} when it is given
     * (keyset paging on seq). Since seq is also the commit order (see {@link #record}), an entry
     * appended while a client pages through the trail has a higher seq than every entry before it: it
     * comes in a later page, never in one already read, and it pushes no entry from one page to the
     * next. V4__keyset_paging.sql has an index of seq after each filter.
     */
    public List<AuditEvent> page(AuditFilter filter, Long afterSeq, int max) {
        List<Object> args = new ArrayList<>();
        String sql = select(filter, afterSeq, args) + " limit ?";
        args.add(max);
        return jdbc.query(sql, ROW, args.toArray());
    }

    /**
     * Every matching entry in the order of the trail, one at a time to {@code each}, in constant
     * memory: read with a fetch size inside a read-only transaction (without one, PostgreSQL's driver
     * reads the whole result before it returns the first row). An exception of {@code each} ends it.
     */
    public void forEach(AuditFilter filter, Consumer<AuditEvent> each) {
        List<Object> args = new ArrayList<>();
        String sql = select(filter, null, args);
        readOnly.executeWithoutResult(status -> jdbc.query(con -> {
            PreparedStatement ps = con.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(FETCH_SIZE);
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            return ps;
        }, (RowCallbackHandler) rs -> each.accept(event(rs))));
    }

    private static String select(AuditFilter filter, Long afterSeq, List<Object> args) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from vdr_audit_event where 1 = 1");
        if (filter.disk() != null) {
            sql.append(" and disk = ?");
            args.add(filter.disk());
        }
        if (filter.from() != null) {
            sql.append(" and at >= ?");
            args.add(ts(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" and at <= ?");
            args.add(ts(filter.to()));
        }
        if (filter.type() != null) {
            sql.append(" and type = ?");
            args.add(filter.type());
        }
        if (filter.resizeId() != null) {
            sql.append(" and resize_id = ?");
            args.add(filter.resizeId());
        }
        if (afterSeq != null) {
            sql.append(" and seq > ?");
            args.add(afterSeq);
        }
        return sql.append(" order by seq").toString();
    }

    public List<AuditEvent> forResize(String resizeId) {
        return jdbc.query("select " + COLUMNS + " from vdr_audit_event where resize_id = ? order by seq", ROW, resizeId);
    }

    /**
     * Checks the whole chain, streaming the table in seq order (constant memory), up to the entry
     * that was the last when the check began; entries appended meanwhile are left for the next check.
     */
    public AuditVerification verify() {
        return readOnly.execute(status -> {
            Head base = jdbc.queryForObject("select base_seq, base_hash from vdr_audit_chain where id = 1",
                    (rs, n) -> new Head(rs.getLong(1), rs.getString(2)));
            Head head = head();
            AuditChainCheck check = new AuditChainCheck(base.seq(), base.hash(), head.seq(), head.hash());
            jdbc.query(con -> {
                PreparedStatement ps = con.prepareStatement("select " + COLUMNS + " from vdr_audit_event"
                        + " where (seq > ? and seq <= ?) or seq is null order by seq nulls last, id");
                ps.setLong(1, base.seq());
                ps.setLong(2, head.seq());
                ps.setFetchSize(FETCH_SIZE);
                return ps;
            }, (ResultSet rs) -> {
                while (rs.next()) {
                    if (!check.accept(new AuditChainCheck.Row(rs.getLong("id"), event(rs)))) {
                        break;
                    }
                }
                return null;
            });
            AuditVerification result = check.finish();
            // read after the walk: every entry the application appended meanwhile is at or below it
            Head now = head();
            List<long[]> beyond = jdbc.query("select id, seq from vdr_audit_event where seq > ? order by seq fetch first 1 rows only",
                    (rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}, now.seq());
            return beyond.isEmpty() ? result : check.beyondHead(result, beyond.get(0)[0], beyond.get(0)[1], now.seq());
        });
    }

    private Head head() {
        return jdbc.queryForObject("select last_seq, last_hash from vdr_audit_chain where id = 1",
                (rs, n) -> new Head(rs.getLong(1), rs.getString(2)));
    }

    /** Appends events to the chain in the current transaction, holding the chain head's row lock until it ends. */
    private void append(List<AuditEvent> events) {
        Head head = jdbc.queryForObject("select last_seq, last_hash from vdr_audit_chain where id = 1 for update",
                (rs, n) -> new Head(rs.getLong(1), rs.getString(2)));
        long seq = head.seq();
        String prev = head.hash();
        List<Object[]> rows = new ArrayList<>(events.size());
        for (AuditEvent pending : events) {
            AuditEvent e = pending.chained(++seq, prev);
            rows.add(new Object[] {e.seq(), e.prevHash(), e.hash(), ts(e.at()), e.type(), e.resizeId(), e.disk(), e.vm(),
                    e.user(), e.oldSize(), e.newSize(), e.detail()});
            prev = e.hash();
        }
        jdbc.batchUpdate("insert into vdr_audit_event (seq, prev_hash, hash, at, type, resize_id, disk, vm, user_id,"
                + " old_size, new_size, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        jdbc.update("update vdr_audit_chain set last_seq = ?, last_hash = ? where id = 1", seq, prev);
    }

    /** The events recorded in this transaction so far, appended when it is about to commit. */
    private Pending pendingOfThisTransaction() {
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            if (s instanceof Pending p && p.owner == this) {
                return p;
            }
        }
        Pending pending = new Pending(this);
        TransactionSynchronizationManager.registerSynchronization(pending);
        return pending;
    }

    private static final class Pending implements TransactionSynchronization {
        private final AuditService owner;
        private final List<AuditEvent> events = new ArrayList<>();
        private boolean appended;

        Pending(AuditService owner) {
            this.owner = owner;
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            appended = true;
            if (!events.isEmpty()) {
                owner.append(events);
            }
        }

        /** After every other synchronization's beforeCommit: the chain lock is the last lock a transaction takes. */
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    private record Head(long seq, String hash) {
    }

    private static AuditEvent event(ResultSet rs) throws SQLException {
        return new AuditEvent(instant(rs, "at"), rs.getString("type"), rs.getString("resize_id"), rs.getString("disk"),
                rs.getString("vm"), rs.getString("user_id"), nullableLong(rs, "old_size"), nullableLong(rs, "new_size"),
                rs.getString("detail"), nullableLong(rs, "seq"), rs.getString("prev_hash"), rs.getString("hash"));
    }

    /** Input that reached the engine unchecked (engine-rest) must still fit the columns. */
    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
