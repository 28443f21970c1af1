package org.vdresize.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.common.Page;

/**
 * Keyset paging and streaming of the audit trail as GET /api/audit reads it, on a database migrated
 * by Flyway (V3 the chain, V4 the indexes): H2 in {@link AuditPagingH2Test}, PostgreSQL in
 * {@link AuditPagingPostgresIT}.
 */
abstract class AuditPagingContract {

    protected abstract DataSource dataSource();

    JdbcTemplate jdbc;
    TransactionTemplate tx;
    AuditService audit;
    /** the clock the trail is written with; tests move it */
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void trail() {
        jdbc = new JdbcTemplate(dataSource());
        jdbc.update("delete from vdr_audit_event");
        jdbc.update("update vdr_audit_chain set last_seq = base_seq, last_hash = base_hash");
        DataSourceTransactionManager txManager = new DataSourceTransactionManager(dataSource());
        tx = new TransactionTemplate(txManager);
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        audit = new AuditService(jdbc, clock, txManager);
    }

    void record(AuditType type, String resizeId, String disk, String detail) {
        audit.record(type, resizeId, disk, "vm1", "demo", 1L, 2L, detail);
    }

    List<List<String>> walk(AuditFilter filter, int limit) {
        List<List<String>> pages = new ArrayList<>();
        Long after = null;
        do {
            Page<AuditEvent, Long> page = page(filter, after, limit);
            pages.add(page.items().stream().map(AuditEvent::detail).toList());
            after = page.next();
        } while (after != null);
        return pages;
    }

    Page<AuditEvent, Long> page(AuditFilter filter, Long after, int limit) {
        return Page.of(audit.page(filter, after, limit + 1), limit, AuditEvent::seq);
    }

    @Test
    void pagesWalkTheTrailInItsOrderAndEndWithoutANextKey() {
        for (int i = 1; i <= 7; i++) {
            record(AuditType.RESIZE_REQUESTED, "pi-" + i, "/d/a", "e" + i);
        }
        assertThat(walk(AuditFilter.ALL, 3)).containsExactly(List.of("e1", "e2", "e3"), List.of("e4", "e5", "e6"), List.of("e7"));
        assertThat(walk(AuditFilter.ALL, 7)).containsExactly(List.of("e1", "e2", "e3", "e4", "e5", "e6", "e7"));
        assertThat(walk(AuditFilter.ALL, 1000)).hasSize(1);
    }

    @Test
    void anEntryWrittenBetweenTwoPageReadsComesOnceAndLastEvenWithAnEarlierClock() {
        for (int i = 1; i <= 5; i++) {
            now.set(now.get().plusSeconds(1));
            record(AuditType.RESIZE_REQUESTED, "pi-" + i, "/d/a", "e" + i);
        }
        Page<AuditEvent, Long> first = page(AuditFilter.ALL, null, 2);
        assertThat(first.items()).extracting(AuditEvent::detail).containsExactly("e1", "e2");

        // written meanwhile by a node whose clock is behind: at is before e2's, its place in the trail is not
        now.set(now.get().minusSeconds(10));
        record(AuditType.RESIZE_COMPLETED, "pi-1", "/d/a", "late");

        List<String> rest = new ArrayList<>();
        Long after = first.next();
        while (after != null) {
            Page<AuditEvent, Long> page = page(AuditFilter.ALL, after, 2);
            rest.addAll(page.items().stream().map(AuditEvent::detail).toList());
            after = page.next();
        }
        assertThat(rest).containsExactly("e3", "e4", "e5", "late");
    }

    @Test
    void filtersByTypeResizeDiskAndTimePageToo() {
        Instant t0 = now.get();
        for (int i = 1; i <= 6; i++) {
            now.set(t0.plusSeconds(i));
            record(AuditType.RESIZE_REQUESTED, "pi-" + i, i % 2 == 0 ? "/d/even" : "/d/odd", "req" + i);
            record(AuditType.STORAGE_EXTENDED, "pi-" + i, i % 2 == 0 ? "/d/even" : "/d/odd", "ext" + i);
            tx.executeWithoutResult(s -> record(AuditType.RESIZE_COMPLETED, "pi-other", "/d/other", "in a transaction"));
        }
        assertThat(walk(new AuditFilter(null, null, null, "STORAGE_EXTENDED", null), 4))
                .containsExactly(List.of("ext1", "ext2", "ext3", "ext4"), List.of("ext5", "ext6"));
        assertThat(walk(new AuditFilter(null, null, null, null, "pi-3"), 1)).containsExactly(List.of("req3"), List.of("ext3"));
        assertThat(walk(new AuditFilter("/d/even", null, null, "RESIZE_REQUESTED", null), 2))
                .containsExactly(List.of("req2", "req4"), List.of("req6"));
        assertThat(walk(new AuditFilter(null, t0.plusSeconds(2), t0.plusSeconds(3), "STORAGE_EXTENDED", null), 10))
                .containsExactly(List.of("ext2", "ext3"));
        assertThat(walk(new AuditFilter(null, null, null, null, "pi-none"), 10)).containsExactly(List.of());
    }

    @Test
    void forEachHandsOutEveryMatchingEntryInTheOrderOfTheTrailWithoutLimit() {
        for (int batch = 0; batch < 12; batch++) {
            int first = batch * 100 + 1;
            tx.executeWithoutResult(s -> {  // 12 commits, not 1,200: PostgreSQL syncs each
                for (int i = first; i < first + 100; i++) {
                    record(i % 3 == 0 ? AuditType.RESIZE_COMPLETED : AuditType.RESIZE_REQUESTED, "pi-" + i, "/d/a", "e" + i);
                }
            });
        }
        List<Long> seqs = new ArrayList<>();
        audit.forEach(AuditFilter.ALL, e -> seqs.add(e.seq()));
        assertThat(seqs).hasSize(1200).isSorted().doesNotHaveDuplicates();
        List<String> completed = new ArrayList<>();
        audit.forEach(new AuditFilter(null, null, null, "RESIZE_COMPLETED", null), e -> completed.add(e.detail()));
        assertThat(completed).hasSize(400).startsWith("e3", "e6").endsWith("e1200");
    }
}
