package org.vdresize.lock;

import static org.vdresize.common.Db.ts;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The exclusive lock on a disk for the whole resize. A row keyed by the disk path: of concurrent
 * inserts exactly one wins, on one node or many. Re-entrant for its own resize, and a lock whose
 * resize no longer exists (deleted, or crashed away) is taken over instead of blocking forever.
 */
@Service
public class DiskLockService {

    private static final Logger log = LoggerFactory.getLogger(DiskLockService.class);

    private final JdbcTemplate jdbc;
    private final ResizeLiveness liveness;
    private final Clock clock;
    private final TransactionTemplate savepoint;

    public DiskLockService(JdbcTemplate jdbc, ResizeLiveness liveness, Clock clock, PlatformTransactionManager tx) {
        this.jdbc = jdbc;
        this.liveness = liveness;
        this.clock = clock;
        // a failed insert must not doom the caller's transaction (PostgreSQL aborts it otherwise)
        this.savepoint = new TransactionTemplate(tx);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** @return true when this resize holds the lock afterwards */
    public boolean tryAcquire(String diskPath, String resizeId) {
        Optional<String> holder = holder(diskPath);
        if (holder.isPresent()) {
            if (holder.get().equals(resizeId)) {
                return true;
            }
            if (liveness.isActive(holder.get())) {
                return false;
            }
            log.warn("[{}] taking over the lock of vanished resize {}", diskPath, holder.get());
            jdbc.update("delete from vdr_disk_lock where disk_path = ? and resize_id = ?", diskPath, holder.get());
        }
        try {
            savepoint.executeWithoutResult(status -> jdbc.update(
                    "insert into vdr_disk_lock (disk_path, resize_id, acquired_at) values (?, ?, ?)",
                    diskPath, resizeId, ts(clock.instant())));
            return true;
        } catch (DataAccessException raced) {
            // another resize inserted first (duplicate key, or a lock wait that timed out)
            log.debug("[{}] lock race lost: {}", diskPath, raced.getMessage());
            return false;
        }
    }

    public void release(String diskPath, String resizeId) {
        jdbc.update("delete from vdr_disk_lock where disk_path = ? and resize_id = ?", diskPath, resizeId);
    }

    /** The resize holding the lock, if that resize is still alive. */
    public Optional<String> activeHolder(String diskPath) {
        return holder(diskPath).filter(liveness::isActive);
    }

    private Optional<String> holder(String diskPath) {
        List<String> ids = jdbc.queryForList("select resize_id from vdr_disk_lock where disk_path = ?", String.class, diskPath);
        return ids.stream().findFirst();
    }
}
