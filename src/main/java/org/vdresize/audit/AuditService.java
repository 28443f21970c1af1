package org.vdresize.audit;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.nullableLong;
import static org.vdresize.common.Db.ts;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;

/**
 * The business audit trail. Events are written with the caller's transaction, so an event exists
 * exactly when the step it records committed.
 */
@Service
public class AuditService {

    private static final RowMapper<AuditEvent> ROW = (rs, n) -> new AuditEvent(instant(rs, "at"),
            rs.getString("type"), rs.getString("resize_id"), rs.getString("disk"), rs.getString("vm"),
            rs.getString("user_id"), nullableLong(rs, "old_size"), nullableLong(rs, "new_size"), rs.getString("detail"));

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public AuditService(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public void record(AuditType type, String resizeId, String disk, String vm, String user,
                       Long oldSize, Long newSize, String detail) {
        jdbc.update("insert into vdr_audit_event (at, type, resize_id, disk, vm, user_id, old_size, new_size, detail)"
                        + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ts(clock.instant()), type.name(), resizeId, truncate(disk, 4096), truncate(vm, 255), truncate(user, 255),
                oldSize, newSize, truncate(detail, 2000));
    }

    /** Events oldest first; every argument may be null (no filter). */
    public List<AuditEvent> query(String diskPath, Instant from, Instant to) {
        StringBuilder sql = new StringBuilder("select * from vdr_audit_event where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (diskPath != null) {
            sql.append(" and disk = ?");
            args.add(diskPath);
        }
        if (from != null) {
            sql.append(" and at >= ?");
            args.add(ts(from));
        }
        if (to != null) {
            sql.append(" and at <= ?");
            args.add(ts(to));
        }
        sql.append(" order by at, id");
        return jdbc.query(sql.toString(), ROW, args.toArray());
    }

    public List<AuditEvent> forResize(String resizeId) {
        return jdbc.query("select * from vdr_audit_event where resize_id = ? order by at, id", ROW, resizeId);
    }

    /** Input that reached the engine unchecked (engine-rest) must still fit the columns. */
    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
