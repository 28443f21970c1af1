package org.vdresize.watch;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.nullableLong;
import static org.vdresize.common.Db.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** vdr_watch, vdr_watch_sample and vdr_watch_decision (V6__watches.sql). */
@Repository
public class WatchRepository {

    private static final String COLUMNS = "id, vm, target, pool, volume, path, disk_path, vm_name, vm_uuid, mountpoint,"
            + " mode, max_size, sample_interval, status, created_by, created_at, stopped_by, stopped_at, process_instance_id";

    private final JdbcTemplate jdbc;

    public WatchRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A sample as stored; usedBytes etc. are null unless status is OK. */
    public record SampleRow(Instant at, String status, String mountpoint, Long usedBytes, Long totalBytes, Long diskSize,
                            String detail) {
    }

    /** A decision as stored, with the inputs it was taken on. */
    public record DecisionRow(long id, Instant at, WatchAction action, Long growBy, String reason, Double usedPercent,
                              Long freeBytes, Long diskSize, Long maxSize, Integer growths24h, Double hoursToFull,
                              String resizeId, String refusedCode) {
    }

    void insert(Watch w) {
        jdbc.update("insert into vdr_watch (" + COLUMNS + ") values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                w.id(), w.vm(), w.target(), w.pool(), w.volume(), w.path(), w.diskPath(), w.vmName(), w.vmUuid(),
                w.mountpoint(), w.mode().name(), w.maxSize(), w.interval().toString(), w.status().name(), w.createdBy(),
                ts(w.createdAt()), w.stoppedBy(), ts(w.stoppedAt()), w.processInstanceId());
    }

    void setProcessInstance(String id, String processInstanceId) {
        jdbc.update("update vdr_watch set process_instance_id = ? where id = ?", processInstanceId, id);
    }

    /** Sets the status unless the watch has stopped (a stopped watch stays stopped). */
    void setStatus(String id, WatchStatus status) {
        jdbc.update("update vdr_watch set status = ? where id = ? and status <> 'STOPPED'", status.name(), id);
    }

    /** @return false when it had already stopped */
    boolean stop(String id, String user, Instant at) {
        return jdbc.update("update vdr_watch set status = 'STOPPED', stopped_by = ?, stopped_at = ? where id = ?"
                + " and status <> 'STOPPED'", user, ts(at), id) == 1;
    }

    public Optional<Watch> find(String id) {
        return jdbc.query("select " + COLUMNS + " from vdr_watch where id = ?", WatchRepository::watch, id).stream()
                .findFirst();
    }

    /** Up to {@code max} watches, newest first, after {@code after} (null: from the newest). */
    List<Watch> page(WatchKey after, int max) {
        if (after == null) {
            return jdbc.query("select " + COLUMNS + " from vdr_watch order by created_at desc, id desc"
                    + " fetch first " + max + " rows only", WatchRepository::watch);
        }
        return jdbc.query("select " + COLUMNS + " from vdr_watch where created_at < ? or (created_at = ? and id < ?)"
                        + " order by created_at desc, id desc fetch first " + max + " rows only", WatchRepository::watch,
                ts(after.createdAt()), ts(after.createdAt()), after.id());
    }

    void insertSample(String watchId, Instant at, String status, String mountpoint, Long usedBytes, Long totalBytes,
                      Long diskSize, String detail) {
        jdbc.update("insert into vdr_watch_sample (watch_id, sampled_at, status, mountpoint, used_bytes, total_bytes,"
                        + " disk_size, detail) values (?,?,?,?,?,?,?,?)", watchId, ts(at), status, mountpoint, usedBytes,
                totalBytes, diskSize, truncate(detail));
    }

    /** The samples with a filesystem since {@code from}, oldest first. */
    List<SampleRow> okSamplesSince(String watchId, Instant from) {
        return jdbc.query("select * from vdr_watch_sample where watch_id = ? and status = 'OK' and sampled_at >= ?"
                + " order by sampled_at, id", WatchRepository::sample, watchId, ts(from));
    }

    Optional<SampleRow> lastOkSample(String watchId) {
        return jdbc.query("select * from vdr_watch_sample where watch_id = ? and status = 'OK'"
                        + " order by sampled_at desc, id desc fetch first 1 rows only", WatchRepository::sample, watchId)
                .stream().findFirst();
    }

    long insertDecision(String watchId, Instant at, WatchAction action, Long growBy, String reason, PolicyInputs in) {
        jdbc.update("insert into vdr_watch_decision (watch_id, decided_at, action, grow_by, reason, used_percent,"
                        + " free_bytes, disk_size, max_size, growths_24h, hours_to_full) values (?,?,?,?,?,?,?,?,?,?,?)",
                watchId, ts(at), action.name(), growBy, truncate(reason), in == null ? null : in.usedPercent(),
                in == null ? null : in.freeBytes(), in == null ? null : in.diskSize(), in == null ? null : in.maxSize(),
                in == null ? null : in.growthsLast24h(), in == null ? null : in.hoursToFull());
        return lastDecision(watchId).orElseThrow().id();
    }

    void setDecisionOutcome(long decisionId, String resizeId, String refusedCode) {
        jdbc.update("update vdr_watch_decision set resize_id = ?, refused_code = ? where id = ?", resizeId, refusedCode,
                decisionId);
    }

    public Optional<DecisionRow> lastDecision(String watchId) {
        return jdbc.query("select * from vdr_watch_decision where watch_id = ? order by id desc fetch first 1 rows only",
                WatchRepository::decision, watchId).stream().findFirst();
    }

    Optional<DecisionRow> lastDecisionWithResize(String watchId) {
        return jdbc.query("select * from vdr_watch_decision where watch_id = ? and resize_id is not null"
                + " order by id desc fetch first 1 rows only", WatchRepository::decision, watchId).stream().findFirst();
    }

    public List<DecisionRow> decisions(String watchId) {
        return jdbc.query("select * from vdr_watch_decision where watch_id = ? order by id",
                WatchRepository::decision, watchId);
    }

    /** Resizes started since {@code from} (the policy's "growths in the last 24 h"). */
    int growthsSince(String watchId, Instant from) {
        Integer n = jdbc.queryForObject("select count(*) from vdr_watch_decision where watch_id = ? and resize_id is not null"
                + " and decided_at >= ?", Integer.class, watchId, ts(from));
        return n == null ? 0 : n;
    }

    List<String> resizeIds(String watchId) {
        return new ArrayList<>(jdbc.queryForList("select resize_id from vdr_watch_decision where watch_id = ?"
                + " and resize_id is not null order by id", String.class, watchId));
    }

    private static Watch watch(ResultSet rs, int row) throws SQLException {
        return new Watch(rs.getString("id"), rs.getString("vm"), rs.getString("target"), rs.getString("pool"),
                rs.getString("volume"), rs.getString("path"), rs.getString("disk_path"), rs.getString("vm_name"),
                rs.getString("vm_uuid"), rs.getString("mountpoint"), WatchMode.valueOf(rs.getString("mode")),
                rs.getLong("max_size"), Duration.parse(rs.getString("sample_interval")),
                WatchStatus.valueOf(rs.getString("status")), rs.getString("created_by"), instant(rs, "created_at"),
                rs.getString("stopped_by"), instant(rs, "stopped_at"), rs.getString("process_instance_id"));
    }

    private static SampleRow sample(ResultSet rs, int row) throws SQLException {
        return new SampleRow(instant(rs, "sampled_at"), rs.getString("status"), rs.getString("mountpoint"),
                nullableLong(rs, "used_bytes"), nullableLong(rs, "total_bytes"), nullableLong(rs, "disk_size"),
                rs.getString("detail"));
    }

    private static DecisionRow decision(ResultSet rs, int row) throws SQLException {
        double used = rs.getDouble("used_percent");
        Double usedPercent = rs.wasNull() ? null : used;
        double hours = rs.getDouble("hours_to_full");
        Double hoursToFull = rs.wasNull() ? null : hours;
        int growths = rs.getInt("growths_24h");
        Integer growths24h = rs.wasNull() ? null : growths;
        return new DecisionRow(rs.getLong("id"), instant(rs, "decided_at"), WatchAction.valueOf(rs.getString("action")),
                nullableLong(rs, "grow_by"), rs.getString("reason"), usedPercent, nullableLong(rs, "free_bytes"),
                nullableLong(rs, "disk_size"), nullableLong(rs, "max_size"), growths24h, hoursToFull,
                rs.getString("resize_id"), rs.getString("refused_code"));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
    }
}
