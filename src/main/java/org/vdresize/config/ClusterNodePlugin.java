package org.vdresize.config;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.vdresize.common.NodeIdentity;

/**
 * What the engine needs to know to share its database with other vdresize nodes (docs/cluster.md):
 * <ul>
 *   <li>the job executor's lock owner and the engine's host name are this node's id
 *       ({@link NodeIdentity}), so that {@code ACT_RU_JOB.LOCK_OWNER_} tells which node holds a job
 *       and {@code ACT_HI_JOB_LOG.HOSTNAME_} which node ran it (both default to values that are the
 *       same for two nodes on one machine, or say nothing about the node);</li>
 *   <li>on PostgreSQL, engines build one at a time: a session advisory lock is held from before
 *       the engine reads its schema until it is built, so nodes started at the same moment on an
 *       empty database do not both do the first start's work (deployment, groups, first
 *       administrator). The tables themselves are Flyway's, created before any engine is built
 *       under Flyway's own lock (db/migration V9, docs/adr/0008-engine-schema-by-flyway.md).</li>
 * </ul>
 */
@Component
public class ClusterNodePlugin extends AbstractProcessEnginePlugin {

    private static final Logger log = LoggerFactory.getLogger(ClusterNodePlugin.class);
    /** pg_advisory_lock's key for "a vdresize engine is being built": any constant, the same on every node */
    static final long STARTUP_LOCK_KEY = 0x7664726573697a65L; // "vdresize"
    /** A node that does not get the lock in this time (another one hangs while building) starts anyway. */
    static final Duration STARTUP_LOCK_WAIT = Duration.ofMinutes(5);

    private final NodeIdentity node;
    private final DataSource dataSource;
    private Connection startupLock;

    public ClusterNodePlugin(NodeIdentity node, DataSource dataSource) {
        this.node = node;
        this.dataSource = dataSource;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setHostname(node.id());
        startupLock = lockStartup();
    }

    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        // the starter's job executor is in place once every plugin's preInit has run
        if (configuration.getJobExecutor() != null) {
            configuration.getJobExecutor().setLockOwner(node.id());
        }
        log.info("vdresize node {}: job lock owner and history host name", node.id());
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        unlockStartup();
    }

    /** A connection holding the startup lock, or null when the database is not PostgreSQL. */
    private Connection lockStartup() {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
                connection.close();
                return null;
            }
            connection.setAutoCommit(true);
            long deadline = System.nanoTime() + STARTUP_LOCK_WAIT.toNanos();
            boolean told = false;
            while (!tryLock(connection)) {
                if (!told) {
                    log.info("another vdresize node is building its engine on this database; waiting for it");
                    told = true;
                }
                if (System.nanoTime() > deadline) {
                    log.warn("no startup lock after {}: building the engine without it", STARTUP_LOCK_WAIT);
                    connection.close();
                    return null;
                }
                Thread.sleep(200);
            }
            return connection;
        } catch (SQLException e) {
            log.warn("cannot take the startup lock ({}); building the engine without it", e.getMessage());
            closeQuietly(connection);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(connection);
            return null;
        }
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            lock.setLong(1, STARTUP_LOCK_KEY);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void unlockStartup() {
        Connection connection = startupLock;
        startupLock = null;
        if (connection == null) {
            return;
        }
        try (PreparedStatement unlock = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            unlock.setLong(1, STARTUP_LOCK_KEY);
            unlock.execute();
        } catch (SQLException e) {
            // a pooled session that might still hold the lock must not be handed out again
            log.warn("releasing the startup lock failed ({}); dropping that connection", e.getMessage());
            evict(connection);
        } finally {
            // closing a pooled connection does not end the session: the unlock above is what counts
            closeQuietly(connection);
        }
    }

    private void evict(Connection connection) {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                dataSource.unwrap(HikariDataSource.class).evictConnection(connection);
            }
        } catch (SQLException e) {
            log.debug("evicting a connection: {}", e.getMessage());
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing a connection: {}", e.getMessage());
            }
        }
    }
}
