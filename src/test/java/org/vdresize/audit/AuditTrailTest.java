package org.vdresize.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.audit.AuditVerification.Problem;
import org.vdresize.audit.AuditVerification.Status;

/**
 * The chain on a real database (in-memory H2 with the Flyway migrations): appends in the caller's
 * transaction, rollbacks, concurrent writers, rows changed, removed and inserted by SQL, and the
 * migration of a trail written before the chain existed.
 */
class AuditTrailTest {

    private static final Logger log = LoggerFactory.getLogger(AuditTrailTest.class);

    DriverManagerDataSource ds;
    JdbcTemplate jdbc;
    DataSourceTransactionManager txManager;
    TransactionTemplate tx;
    AuditService audit;

    @BeforeEach
    void database() {
        ds = new DriverManagerDataSource("jdbc:h2:mem:audit" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        jdbc = new JdbcTemplate(ds);
        txManager = new DataSourceTransactionManager(ds);
        tx = new TransactionTemplate(txManager);
    }

    @AfterEach
    void drop() {
        jdbc.execute("shutdown");
    }

    void migrated() {
        Flyway.configure().dataSource(ds).load().migrate();
        audit = new AuditService(jdbc, Clock.systemUTC(), txManager);
    }

    void record(String detail) {
        audit.record(AuditType.RESIZE_REQUESTED, "pi", "/disk", "vm", "demo", 1L, 2L, detail);
    }

    @Test
    void entriesAreChainedInOrderWithAndWithoutATransaction() {
        migrated();
        record("outside");
        tx.executeWithoutResult(s -> {
            record("first of two");
            record("second of two");
        });
        List<AuditEvent> events = audit.query(null, null, null);
        assertThat(events).extracting(AuditEvent::seq).containsExactly(1L, 2L, 3L);
        assertThat(events).extracting(AuditEvent::detail).containsExactly("outside", "first of two", "second of two");
        assertThat(events.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
        assertThat(events.get(1).prevHash()).isEqualTo(events.get(0).hash());
        assertThat(events.get(2).prevHash()).isEqualTo(events.get(1).hash());
        AuditVerification v = audit.verify();
        assertThat(v.status()).isEqualTo(Status.INTACT);
        assertThat(v.entries()).isEqualTo(3);
        assertThat(v.lastHash()).isEqualTo(events.get(2).hash());
    }

    @Test
    void anEntryIsAppendedWhenItsTransactionCommitsAndARollbackLeavesTheChainAsItWas() {
        migrated();
        record("before");
        tx.executeWithoutResult(s -> {
            record("recorded, not yet appended");
            assertThat(jdbc.queryForObject("select count(*) from vdr_audit_event", Long.class)).isEqualTo(1);
        });
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            record("rolled back");
            throw new IllegalStateException("the step failed");
        })).hasMessage("the step failed");
        record("after");
        assertThat(audit.query(null, null, null)).extracting(AuditEvent::detail)
                .containsExactly("before", "recorded, not yet appended", "after");
        assertThat(audit.query(null, null, null)).extracting(AuditEvent::seq).containsExactly(1L, 2L, 3L);
        assertThat(audit.verify().status()).isEqualTo(Status.INTACT);
    }

    @Test
    void aFailureAfterTheAppendRollsItBackWithTheHead() {
        migrated();
        record("kept");
        // a later beforeCommit callback fails: the transaction rolls back after the chain was appended to
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            record("lost with its transaction");
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void beforeCommit(boolean readOnly) {
                            throw new IllegalStateException("commit refused");
                        }

                        @Override
                        public int getOrder() {
                            return Integer.MAX_VALUE;
                        }
                    });
        })).hasMessage("commit refused");
        record("next");
        assertThat(audit.query(null, null, null)).extracting(AuditEvent::detail).containsExactly("kept", "next");
        assertThat(audit.verify()).extracting(AuditVerification::status, AuditVerification::entries)
                .containsExactly(Status.INTACT, 2L);
    }

    @Test
    void concurrentWritersNeverForkTheChain() throws Exception {
        migrated();
        int threads = 8;
        int transactions = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier together = new CyclicBarrier(threads);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                futures.add(pool.submit(() -> {
                    together.await();
                    long started = System.nanoTime();
                    for (int i = 0; i < transactions; i++) {
                        int n = i;
                        tx.executeWithoutResult(s -> {
                            record("writer " + writer + " tx " + n + " a");
                            record("writer " + writer + " tx " + n + " b");
                        });
                    }
                    return System.nanoTime() - started;
                }));
            }
            long nanos = 0;
            for (Future<Long> f : futures) {
                nanos = Math.max(nanos, f.get());
            }
            log.info("{} writers x {} transactions of 2 entries: {} ms, {} us per transaction", threads, transactions,
                    nanos / 1_000_000, nanos / 1_000 / transactions);
        } finally {
            pool.shutdown();
        }
        List<AuditEvent> events = audit.query(null, null, null);
        assertThat(events).hasSize(threads * transactions * 2);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).seq()).isEqualTo(i + 1);
        }
        // the two entries of a transaction are consecutive
        for (int i = 0; i < events.size(); i += 2) {
            assertThat(events.get(i + 1).detail()).isEqualTo(events.get(i).detail().replaceAll(" a$", " b"));
        }
        AuditVerification v = audit.verify();
        assertThat(v.status()).isEqualTo(Status.INTACT);
        assertThat(v.entries()).isEqualTo(threads * transactions * 2L);
    }

    /**
     * What the chain adds to a transaction that writes audit events, for docs/adr/0006: the same
     * transactions (two events each, one connection) against the previous table without a chain,
     * alternately, in the log. No assertion on time: the figure is for reading, not for failing.
     */
    @Test
    void theCostOfAnAppendAgainstThePreviousPlainInsert() {
        migrated();
        java.util.Map<String, List<String>> indexColumns = new java.util.TreeMap<>();
        jdbc.execute("create table old_audit_event (id bigint generated by default as identity primary key,"
                + " at timestamp with time zone not null, type varchar(64) not null, resize_id varchar(64), disk varchar(4096),"
                + " vm varchar(255), user_id varchar(255), old_size bigint, new_size bigint, detail varchar(2000))");
        // the indexes vdr_audit_event has besides the chain's unique seq
        jdbc.query("select index_name, column_name from information_schema.index_columns where table_name = 'VDR_AUDIT_EVENT'"
                + " and index_name not like 'PRIMARY%' order by index_name, ordinal_position", rs -> {
                    indexColumns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        indexColumns.forEach((name, columns) -> {
            if (!columns.contains("SEQ")) {
                jdbc.execute("create index old_" + name + " on old_audit_event (" + String.join(", ", columns) + ")");
            }
        });
        org.springframework.jdbc.datasource.SingleConnectionDataSource one =
                new org.springframework.jdbc.datasource.SingleConnectionDataSource(ds.getUrl(), true);
        JdbcTemplate oneJdbc = new JdbcTemplate(one);
        DataSourceTransactionManager oneTx = new DataSourceTransactionManager(one);
        TransactionTemplate t = new TransactionTemplate(oneTx);
        AuditService chained = new AuditService(oneJdbc, Clock.systemUTC(), oneTx);
        int rounds = 6;
        int perRound = 200;
        long[] plain = new long[rounds * perRound];
        long[] chain = new long[rounds * perRound];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < perRound; i++) {
                long started = System.nanoTime();
                t.executeWithoutResult(s -> {
                    for (int e = 0; e < 2; e++) {
                        oneJdbc.update("insert into old_audit_event (at, type, resize_id, disk, vm, user_id, old_size, new_size,"
                                        + " detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", Instant.now().atOffset(ZoneOffset.UTC),
                                "RESIZE_REQUESTED", "pi", "/var/lib/libvirt/images/disk.qcow2", "vm", "demo", 1L, 2L, "requested +1M");
                    }
                });
                plain[round * perRound + i] = System.nanoTime() - started;
                started = System.nanoTime();
                t.executeWithoutResult(s -> {
                    for (int e = 0; e < 2; e++) {
                        chained.record(AuditType.RESIZE_REQUESTED, "pi", "/var/lib/libvirt/images/disk.qcow2", "vm", "demo",
                                1L, 2L, "requested +1M");
                    }
                });
                chain[round * perRound + i] = System.nanoTime() - started;
            }
        }
        one.destroy();
        java.util.Arrays.sort(plain);
        java.util.Arrays.sort(chain);
        log.info("a transaction writing 2 audit events, {} each, one connection, in-memory H2, indexes {}: plain insert"
                        + " p50 {} us p90 {} us mean {} us; hash chain p50 {} us p90 {} us mean {} us", plain.length,
                indexColumns.keySet(), plain[plain.length / 2] / 1000, plain[plain.length * 9 / 10] / 1000,
                java.util.Arrays.stream(plain).sum() / plain.length / 1000, chain[chain.length / 2] / 1000,
                chain[chain.length * 9 / 10] / 1000, java.util.Arrays.stream(chain).sum() / chain.length / 1000);
        assertThat(audit.verify()).extracting(AuditVerification::status, AuditVerification::entries)
                .containsExactly(Status.INTACT, (long) rounds * perRound * 2);
    }

    @Test
    void aRowChangedInTheDatabaseIsNamed() {
        migrated();
        for (int i = 1; i <= 5; i++) {
            record("entry " + i);
        }
        long id = idOf(3);
        jdbc.update("update vdr_audit_event set user_id = 'somebody else' where seq = 3");
        AuditVerification v = audit.verify();
        assertThat(v.status()).isEqualTo(Status.BROKEN);
        assertThat(v.entries()).isEqualTo(2);
        assertThat(v.firstBrokenEntry()).extracting("seq", "id", "problem").containsExactly(3L, id, Problem.CHANGED);
    }

    @Test
    void aRowRemovedFromTheMiddleOrTheEndIsFound() {
        migrated();
        for (int i = 1; i <= 5; i++) {
            record("entry " + i);
        }
        jdbc.update("delete from vdr_audit_event where seq = 5");
        assertThat(audit.verify().firstBrokenEntry()).extracting("seq", "id", "problem").containsExactly(5L, null, Problem.REMOVED);
        jdbc.update("delete from vdr_audit_event where seq = 2");
        AuditVerification v = audit.verify();
        assertThat(v.firstBrokenEntry()).extracting("seq", "id", "problem").containsExactly(2L, null, Problem.REMOVED);
        assertThat(v.firstBrokenEntry().detail()).contains("entry 3 (id " + idOf(3) + ") follows entry 1");
    }

    @Test
    void aRowInsertedInTheDatabaseIsFound() {
        migrated();
        for (int i = 1; i <= 4; i++) {
            record("entry " + i);
        }
        // a forged entry 3, chained to entry 2 with a correct hash, the later ones moved up
        String hash2 = jdbc.queryForObject("select hash from vdr_audit_event where seq = 2", String.class);
        AuditEvent forged = new AuditEvent(AuditChain.storable(Instant.now()), "RESIZE_APPROVED", "pi", "/disk", null,
                "mallory", 1L, 2L, "approved").chained(3, hash2);
        jdbc.update("update vdr_audit_event set seq = seq + 1000 where seq >= 3");
        jdbc.update("update vdr_audit_event set seq = seq - 999 where seq >= 1000");
        jdbc.update("insert into vdr_audit_event (seq, prev_hash, hash, at, type, resize_id, disk, user_id, old_size,"
                        + " new_size, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", forged.seq(), forged.prevHash(), forged.hash(),
                forged.at().atOffset(ZoneOffset.UTC), forged.type(), forged.resizeId(), forged.disk(), forged.user(),
                forged.oldSize(), forged.newSize(), forged.detail());
        long forgedId = jdbc.queryForObject("select id from vdr_audit_event where user_id = 'mallory'", Long.class);
        AuditVerification v = audit.verify();
        assertThat(v.firstBrokenEntry()).extracting("seq", "id", "problem").containsExactly(3L, forgedId, Problem.INSERTED);
    }

    @Test
    void aRowAppendedBehindTheApplicationsBackIsFound() {
        migrated();
        record("entry 1");
        AuditEvent last = audit.query(null, null, null).get(0);
        AuditEvent forged = new AuditEvent(last.at(), "RESIZE_APPROVED", "pi", "/disk", null, "mallory", 1L, 2L, "ok")
                .chained(2, last.hash());
        jdbc.update("insert into vdr_audit_event (seq, prev_hash, hash, at, type, user_id) values (?, ?, ?, ?, ?, ?)",
                forged.seq(), forged.prevHash(), forged.hash(), forged.at().atOffset(ZoneOffset.UTC), forged.type(), forged.user());
        long forgedId = jdbc.queryForObject("select id from vdr_audit_event where user_id = 'mallory'", Long.class);
        assertThat(audit.verify().firstBrokenEntry()).extracting("seq", "id", "problem")
                .containsExactly(2L, forgedId, Problem.INSERTED);
    }

    @Test
    void aTrailWrittenBeforeTheChainIsChainedByTheMigrationInItsOrder() {
        Flyway.configure().dataSource(ds).target("2").load().migrate();
        Instant t = Instant.parse("2026-01-31T12:00:00.123456Z");
        // as the previous version wrote them: time order, ids not in time order for two equal times
        String insert = "insert into vdr_audit_event (id, at, type, resize_id, disk, vm, user_id, old_size, new_size, detail)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        jdbc.update(insert, 10, t.plusSeconds(2).atOffset(ZoneOffset.UTC), "RESIZE_COMPLETED", "pi", "/d", null, "demo", 1L, 2L, "done");
        jdbc.update(insert, 11, t.atOffset(ZoneOffset.UTC), "RESIZE_REQUESTED", "pi", "/d", "vm", "demo", 1L, 2L, "+1M, \"why\"");
        jdbc.update(insert, 12, t.plusSeconds(1).atOffset(ZoneOffset.UTC), "VM_DISK_RESIZED", "pi", "/d", "vm", null, 1L, 2L, null);
        jdbc.update(insert, 13, t.plusSeconds(1).atOffset(ZoneOffset.UTC), "GUEST_NOTIFIED", "pi", "/d", "vm", null, null, null, "");

        migrated();

        List<AuditEvent> events = audit.query(null, null, null);
        assertThat(events).extracting(AuditEvent::type).containsExactly("RESIZE_REQUESTED", "VM_DISK_RESIZED",
                "GUEST_NOTIFIED", "RESIZE_COMPLETED");
        assertThat(events).extracting(AuditEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        record("after the upgrade");
        AuditVerification v = audit.verify();
        assertThat(v.status()).isEqualTo(Status.INTACT);
        assertThat(v.entries()).isEqualTo(5);
        jdbc.update("update vdr_audit_event set detail = 'done?' where id = 10");
        assertThat(audit.verify().firstBrokenEntry()).extracting("seq", "id", "problem").containsExactly(4L, 10L, Problem.CHANGED);
    }

    @Test
    void anEmptyTrailIsIntact() {
        migrated();
        assertThat(audit.verify()).extracting(AuditVerification::status, AuditVerification::entries)
                .containsExactly(Status.INTACT, 0L);
    }

    long idOf(long seq) {
        return jdbc.queryForObject("select id from vdr_audit_event where seq = ?", Long.class, seq);
    }
}
