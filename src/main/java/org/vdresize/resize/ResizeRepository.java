package org.vdresize.resize;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.nullableLong;
import static org.vdresize.common.Db.ts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.vdresize.guest.FilesystemStatus;
import org.vdresize.guest.GuestOutcome;
import org.vdresize.guest.GuestStatus;
import org.vdresize.vm.VmDiskStatus;

/** The vdr_resize, vdr_resize_vm, vdr_resize_step, vdr_step_detail and vdr_resize_cancellation rows. */
@Repository
public class ResizeRepository {

    /** A resize row as stored; the view adds VMs and steps. */
    public record ResizeRow(String id, ResizeStatus status, boolean noop, String diskPath, String host, String pool,
                            String volume, String format, boolean preallocated, Long oldSize, String requestedSize,
                            Long newSize, boolean notifyGuest, boolean growFilesystem, String requestedBy,
                            String reason, Instant startedAt, Instant endedAt, String errorCode, String errorMessage) {
    }

    public record VmRow(String resizeId, String vmUuid, String vmName, String host, String target, VmDiskStatus status,
                        Long capacity, String detail) {
    }

    /**
     * One activity instance of a step, as the engine reported it when it happened.
     *
     * @param seq the engine's sequence counter, which orders steps that started in the same millisecond
     */
    public record StepRow(String resizeId, String activityInstanceId, String activityId, String name,
                          Instant startedAt, Instant endedAt, boolean canceled, long seq) {
    }

    private static final RowMapper<StepRow> STEP = (rs, n) -> new StepRow(rs.getString("resize_id"),
            rs.getString("activity_instance_id"), rs.getString("activity_id"), rs.getString("name"),
            instant(rs, "started_at"), instant(rs, "ended_at"), rs.getBoolean("canceled"), rs.getLong("seq"));

    private static final RowMapper<ResizeRow> RESIZE = (rs, n) -> new ResizeRow(rs.getString("id"),
            ResizeStatus.valueOf(rs.getString("status")), rs.getBoolean("noop"), rs.getString("disk_path"),
            rs.getString("host"), rs.getString("pool"), rs.getString("volume"), rs.getString("format"),
            rs.getBoolean("preallocated"), nullableLong(rs, "old_size"), rs.getString("requested_size"),
            nullableLong(rs, "new_size"), rs.getBoolean("notify_guest"), rs.getBoolean("grow_filesystem"),
            rs.getString("requested_by"), rs.getString("reason"), instant(rs, "started_at"), instant(rs, "ended_at"),
            rs.getString("error_code"), rs.getString("error_message"));

    private static final RowMapper<VmRow> VM = (rs, n) -> new VmRow(rs.getString("resize_id"), rs.getString("vm_uuid"),
            rs.getString("vm_name"), rs.getString("host"), rs.getString("target"), VmDiskStatus.valueOf(rs.getString("status")),
            nullableLong(rs, "capacity"), rs.getString("detail"));

    private final JdbcTemplate jdbc;

    public ResizeRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(ResizeRow r) {
        jdbc.update("insert into vdr_resize (id, status, noop, disk_path, host, pool, volume, format, preallocated,"
                        + " old_size, requested_size, new_size, notify_guest, grow_filesystem, requested_by, reason,"
                        + " started_at, ended_at, error_code, error_message) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                r.id(), r.status().name(), r.noop(), r.diskPath(), r.host(), r.pool(), r.volume(), r.format(),
                r.preallocated(), r.oldSize(), r.requestedSize(), r.newSize(), r.notifyGuest(), r.growFilesystem(),
                r.requestedBy(), r.reason(), ts(r.startedAt()), ts(r.endedAt()), r.errorCode(), fit(r.errorMessage()));
    }

    public Optional<ResizeRow> find(String id) {
        return jdbc.query("select * from vdr_resize where id = ?", RESIZE, id).stream().findFirst();
    }

    /** The row of the resize a step belongs to: it exists from the validation step on. */
    public ResizeRow of(StepRef step) {
        return find(step.resizeId())
                .orElseThrow(() -> new IllegalStateException("resize " + step.resizeId() + " has no record"));
    }

    public static ResizeKey key(ResizeRow row) {
        return new ResizeKey(row.startedAt(), row.id());
    }

    /**
     * Up to {@code max} resizes newest first (started_at, then id, both descending), after the one at
     * {@code after} when it is given (keyset paging: a page starts right after the key of the previous
     * page's last entry, so an entry added meanwhile never shifts the others). Every filter may be null;
     * {@code vm} is a VM's name or UUID. V4__keyset_paging.sql has the indexes in this order.
     */
    public List<ResizeRow> page(ResizeStatus status, String diskPath, String vm, ResizeKey after, int max) {
        StringBuilder sql = new StringBuilder("select * from vdr_resize r where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (status != null) {
            sql.append(" and r.status = ?");
            args.add(status.name());
        }
        if (diskPath != null) {
            sql.append(" and r.disk_path = ?");
            args.add(diskPath);
        }
        if (vm != null) {
            sql.append(" and r.id in (select v.resize_id from vdr_resize_vm v where v.vm_name = ? or v.vm_uuid = ?)");
            args.add(vm);
            args.add(vm);
        }
        if (after != null) {
            // the first condition alone bounds the index range; the second drops the ties already read
            sql.append(" and r.started_at <= ? and (r.started_at < ? or r.id < ?)");
            args.add(ts(after.startedAt()));
            args.add(ts(after.startedAt()));
            args.add(after.id());
        }
        sql.append(" order by r.started_at desc, r.id desc limit ?");
        args.add(max);
        return jdbc.query(sql.toString(), RESIZE, args.toArray());
    }

    /** The resizes that have not ended (running, waiting for approval, needing attention), oldest first. */
    public List<ResizeRow> open() {
        return jdbc.query("select * from vdr_resize where status in ('RUNNING', 'WAITING_FOR_APPROVAL', 'NEEDS_ATTENTION')"
                + " order by started_at, id", RESIZE);
    }

    /** Writes a status only where the row still has {@code expected}; false when it had not. */
    public boolean updateStatusIf(String id, ResizeStatus expected, ResizeStatus status, Instant endedAt, ErrorCode errorCode,
                                  String errorMessage) {
        return jdbc.update("update vdr_resize set status = ?, ended_at = ?, error_code = ?, error_message = ?"
                + " where id = ? and status = ?", status.name(), ts(endedAt), name(errorCode), fit(errorMessage), id,
                expected.name()) == 1;
    }

    /** Whether a resize of this disk ended at or after {@code since}. */
    public boolean endedSince(String diskPath, Instant since) {
        Integer n = jdbc.queryForObject("select count(*) from vdr_resize where disk_path = ? and ended_at >= ?",
                Integer.class, diskPath, ts(since));
        return n != null && n > 0;
    }

    /** The status of each of these resizes that exists. */
    public Map<String, ResizeStatus> statuses(java.util.Collection<String> ids) {
        Map<String, ResizeStatus> found = new java.util.HashMap<>();
        List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<String> part = all.subList(from, Math.min(all.size(), from + 500));
            String marks = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
            jdbc.query("select id, status from vdr_resize where id in (" + marks + ")",
                    rs -> {
                        found.put(rs.getString("id"), ResizeStatus.valueOf(rs.getString("status")));
                    }, part.toArray());
        }
        return found;
    }

    public void updateStatus(String id, ResizeStatus status, Instant endedAt, ErrorCode errorCode, String errorMessage) {
        jdbc.update("update vdr_resize set status = ?, ended_at = ?, error_code = coalesce(?, error_code),"
                        + " error_message = coalesce(?, error_message) where id = ?",
                status.name(), ts(endedAt), name(errorCode), fit(errorMessage), id);
    }

    private static String name(ErrorCode value) {
        return value == null ? null : value.name();
    }

    /** An error message cut to its column: one naming a 4000-character path must not fail the write of the ending. */
    private static String fit(String message) {
        return message == null || message.length() <= 2000 ? message : message.substring(0, 1997) + "...";
    }

    public void insertVm(VmRow vm) {
        jdbc.update("insert into vdr_resize_vm (resize_id, vm_uuid, vm_name, host, target, status, capacity, detail)"
                        + " values (?,?,?,?,?,?,?,?)",
                vm.resizeId(), vm.vmUuid(), vm.vmName(), vm.host(), vm.target(), vm.status().name(), vm.capacity(), vm.detail());
    }

    public void updateVm(String resizeId, String vmUuid, String host, VmDiskStatus status, Long capacity, String detail) {
        jdbc.update("update vdr_resize_vm set host = coalesce(?, host), status = ?, capacity = ?, detail = ?"
                + " where resize_id = ? and vm_uuid = ?", host, status.name(), capacity, detail, resizeId, vmUuid);
    }

    public List<VmRow> vms(String resizeId) {
        return jdbc.query("select * from vdr_resize_vm where resize_id = ? order by vm_name", VM, resizeId);
    }

    public Optional<VmRow> vm(String resizeId, String vmUuid) {
        return jdbc.query("select * from vdr_resize_vm where resize_id = ? and vm_uuid = ?", VM, resizeId, vmUuid)
                .stream().findFirst();
    }

    /** Records what a step did, in words; a retried step overwrites its earlier words. */
    public void stepDetail(String activityInstanceId, String resizeId, String detail) {
        jdbc.update("delete from vdr_step_detail where activity_instance_id = ?", activityInstanceId);
        jdbc.update("insert into vdr_step_detail (activity_instance_id, resize_id, detail) values (?,?,?)",
                activityInstanceId, resizeId, detail.length() > 2000 ? detail.substring(0, 2000) : detail);
    }

    public Map<String, String> stepDetails(String resizeId) {
        return jdbc.query("select activity_instance_id, detail from vdr_step_detail where resize_id = ?",
                (rs, n) -> Map.entry(rs.getString(1), rs.getString(2)), resizeId)
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> b));
    }

    /**
     * Records a step's activity instance as it starts or ends, in the transaction of that step: the
     * row of an instance already recorded gets its end, any other is inserted. An end whose start is
     * unknown (the engine does not repeat it when the step started in an earlier transaction) and
     * has no row is not recorded: that step started before vdresize recorded steps.
     */
    public void saveStep(StepRow s) {
        int updated = jdbc.update("update vdr_resize_step set ended_at = ?, canceled = ? where activity_instance_id = ?",
                ts(s.endedAt()), s.canceled(), s.activityInstanceId());
        if (updated == 0 && s.startedAt() != null) {
            jdbc.update("insert into vdr_resize_step (activity_instance_id, resize_id, activity_id, name, started_at,"
                            + " ended_at, canceled, seq) values (?,?,?,?,?,?,?,?)",
                    s.activityInstanceId(), s.resizeId(), s.activityId(), s.name(), ts(s.startedAt()), ts(s.endedAt()),
                    s.canceled(), s.seq());
        }
    }

    /** A resize's steps in the order they started. */
    public List<StepRow> steps(String resizeId) {
        return jdbc.query("select * from vdr_resize_step where resize_id = ? order by started_at, seq, activity_instance_id",
                STEP, resizeId);
    }

    /** The resizes that have no step recorded by vdresize: those recorded before it kept steps itself. */
    public List<String> idsWithoutSteps() {
        return jdbc.queryForList("select r.id from vdr_resize r where not exists"
                + " (select 1 from vdr_resize_step s where s.resize_id = r.id) order by r.started_at, r.id", String.class);
    }

    /** Records who cancelled a resize's process instance, once (the first record wins). */
    public void saveCancellation(String resizeId, String user, String reason, Instant at) {
        if (jdbc.queryForObject("select count(*) from vdr_resize_cancellation where resize_id = ?", Integer.class,
                resizeId) == 0) {
            jdbc.update("insert into vdr_resize_cancellation (resize_id, user_id, reason, cancelled_at) values (?,?,?,?)",
                    resizeId, truncate(user, 255), truncate(reason, 4000), ts(at));
        }
    }

    /** Who cancelled the resize's process instance, why and when; empty when it was not cancelled (or not seen). */
    public Optional<ResizeProcessPort.Cancellation> cancellation(String resizeId) {
        return jdbc.query("select * from vdr_resize_cancellation where resize_id = ?",
                (rs, n) -> new ResizeProcessPort.Cancellation(rs.getString("user_id"), rs.getString("reason"), instant(rs, "cancelled_at")),
                resizeId).stream().findFirst();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** What the guest step found in one VM; a retried step overwrites it. */
    public void saveGuest(String resizeId, String vmUuid, String vmName, GuestOutcome g) {
        jdbc.update("delete from vdr_resize_guest where resize_id = ? and vm_uuid = ?", resizeId, vmUuid);
        GuestOutcome.FilesystemGrowth fs = g.filesystem();
        jdbc.update("insert into vdr_resize_guest (resize_id, vm_uuid, vm_name, status, guest_size, device, fs_device,"
                        + " fs_type, fs_mount, fs_before, fs_after, fs_status, detail) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                resizeId, vmUuid, vmName, g.status().name(), g.guestSize(), g.device(), fs == null ? null : fs.device(),
                fs == null ? null : fs.type(), fs == null ? null : fs.mountpoint(), fs == null ? null : fs.sizeBefore(),
                fs == null ? null : fs.sizeAfter(), fs == null ? null : fs.status().name(),
                g.detail() == null || g.detail().length() <= 2000 ? g.detail() : g.detail().substring(0, 2000));
    }

    public List<ResizeView.GuestOutcome> guests(String resizeId) {
        return jdbc.query("select * from vdr_resize_guest where resize_id = ? order by vm_name", (rs, n) -> {
            String fsStatus = rs.getString("fs_status");
            GuestOutcome.FilesystemGrowth fs = fsStatus == null ? null : new GuestOutcome.FilesystemGrowth(
                    rs.getString("fs_device"), rs.getString("fs_type"), rs.getString("fs_mount"),
                    nullableLong(rs, "fs_before"), nullableLong(rs, "fs_after"), FilesystemStatus.valueOf(fsStatus));
            return new ResizeView.GuestOutcome(rs.getString("vm_name"), GuestStatus.valueOf(rs.getString("status")),
                    nullableLong(rs, "guest_size"), fs);
        }, resizeId);
    }
}
