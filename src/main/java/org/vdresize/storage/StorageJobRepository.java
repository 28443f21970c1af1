package org.vdresize.storage;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.nullableLong;
import static org.vdresize.common.Db.ts;

import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

@Repository
class StorageJobRepository {

    private static final RowMapper<StorageJob> ROW = (rs, n) -> new StorageJob(rs.getString("id"),
            rs.getString("resize_id"), rs.getString("host"), rs.getString("pool"), rs.getString("volume"),
            rs.getString("path"), StorageResizeMode.valueOf(rs.getString("mode")), rs.getLong("old_capacity"),
            nullableLong(rs, "old_allocation"), rs.getLong("target_capacity"),
            StorageJob.State.valueOf(rs.getString("state")), nullableLong(rs, "progress"), rs.getString("error"),
            rs.getString("node"), instant(rs, "heartbeat_at"), instant(rs, "started_at"), instant(rs, "ended_at"));

    private final JdbcTemplate jdbc;

    StorageJobRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(StorageJob j) {
        jdbc.update("insert into vdr_storage_job (id, resize_id, host, pool, volume, path, mode, old_capacity,"
                        + " old_allocation, target_capacity, state, progress, error, node, heartbeat_at, started_at, ended_at)"
                        + " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                j.id(), j.resizeId(), j.host(), j.pool(), j.volume(), j.path(), j.mode().name(), j.oldCapacity(),
                j.oldAllocation(), j.targetCapacity(), j.state().name(), j.progress(), j.error(), j.node(),
                ts(j.heartbeatAt()), ts(j.startedAt()), ts(j.endedAt()));
    }

    Optional<StorageJob> find(String id) {
        return jdbc.query("select * from vdr_storage_job where id = ?", ROW, id).stream().findFirst();
    }

    Optional<StorageJob> forResize(String resizeId) {
        return jdbc.query("select * from vdr_storage_job where resize_id = ? order by started_at desc", ROW, resizeId)
                .stream().findFirst();
    }

    /** Ends a job that is still RUNNING; a job another node already ended stays as it is. */
    boolean finish(String id, StorageJob.State state, String error, Instant at) {
        return jdbc.update("update vdr_storage_job set state = ?, error = ?, ended_at = ? where id = ? and state = 'RUNNING'",
                state.name(), error, ts(at), id) == 1;
    }

    void markRolledBack(String id, Instant at) {
        jdbc.update("update vdr_storage_job set state = 'ROLLED_BACK', ended_at = ? where id = ?", ts(at), id);
    }

    /** Moves a lost job to this node (it is started again here). */
    boolean adopt(String id, String expectedNode, String node, Instant at) {
        return jdbc.update("update vdr_storage_job set node = ?, heartbeat_at = ? where id = ? and state = 'RUNNING'"
                + " and node = ?", node, ts(at), id, expectedNode) == 1;
    }

    void heartbeat(String node, Instant at) {
        jdbc.update("update vdr_storage_job set heartbeat_at = ? where node = ? and state = 'RUNNING'", ts(at), node);
    }
}
