package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.vdresize.common.Page;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.resize.ResizeRepository.VmRow;
import org.vdresize.vm.VmDiskStatus;

/**
 * Keyset paging of vdr_resize as GET /api/resizes reads it, on a database migrated by Flyway
 * (V4 has the indexes): H2 in {@link ResizePagingH2Test}, PostgreSQL in {@link ResizePagingPostgresIT}.
 */
abstract class ResizePagingContract {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    protected abstract DataSource dataSource();

    ResizeRepository resizes;
    JdbcTemplate jdbc;

    @BeforeEach
    void repository() {
        jdbc = new JdbcTemplate(dataSource());
        jdbc.update("delete from vdr_resize_vm");
        jdbc.update("delete from vdr_resize");
        resizes = new ResizeRepository(jdbc);
    }

    /** A resize started {@code seconds} after T0 (fractions of a second to the microsecond). */
    ResizeRow resize(String id, double seconds, ResizeStatus status, String disk) {
        Instant started = T0.plusNanos(Math.round(seconds * 1_000_000) * 1_000);
        ResizeRow row = new ResizeRow(id, status, false, disk, "local", "p", "v", "qcow2", false, 1L, "+1G", 2L, true,
                false, "demo", null, started, null, null, null);
        resizes.insert(row);
        return row;
    }

    void usedBy(String resizeId, String vmName, String vmUuid) {
        resizes.insertVm(new VmRow(resizeId, vmUuid, vmName, "local", "vdb", VmDiskStatus.RESIZED, 2L, null));
    }

    /** Every page of {@code limit} in turn, as a client following the Link header would read them. */
    List<List<String>> walk(ResizeStatus status, String disk, String vm, int limit) {
        List<List<String>> pages = new ArrayList<>();
        ResizeKey after = null;
        do {
            Page<ResizeRow, ResizeKey> page = page(status, disk, vm, after, limit);
            pages.add(page.items().stream().map(ResizeRow::id).toList());
            after = page.next();
        } while (after != null);
        return pages;
    }

    Page<ResizeRow, ResizeKey> page(ResizeStatus status, String disk, String vm, ResizeKey after, int limit) {
        return Page.of(resizes.page(status, disk, vm, after, limit + 1), limit, ResizeRepository::key);
    }

    @Test
    void pagesWalkTheListNewestFirstWithTiesByIdAndEndWithoutANextKey() {
        // r03 to r06 started at the same microsecond: the id orders them, descending
        resize("r01", 1, ResizeStatus.COMPLETED, "/d/a");
        resize("r02", 2, ResizeStatus.COMPLETED, "/d/a");
        for (String id : List.of("r04", "r06", "r03", "r05")) {
            resize(id, 3.000001, ResizeStatus.COMPLETED, "/d/b");
        }
        resize("r07", 3.5, ResizeStatus.FAILED, "/d/b");

        assertThat(walk(null, null, null, 3)).containsExactly(
                List.of("r07", "r06", "r05"), List.of("r04", "r03", "r02"), List.of("r01"));
        assertThat(walk(null, null, null, 7)).containsExactly(List.of("r07", "r06", "r05", "r04", "r03", "r02", "r01"));
        assertThat(walk(null, null, null, 1)).flatExtracting(p -> p).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void aResizeAddedBetweenTwoPageReadsNeitherRepeatsNorHidesAnother() {
        for (int i = 1; i <= 9; i++) {
            resize("old-" + i, i, ResizeStatus.COMPLETED, "/d/a");
        }
        Page<ResizeRow, ResizeKey> first = page(null, null, null, null, 4);
        assertThat(first.items()).extracting(ResizeRow::id).containsExactly("old-9", "old-8", "old-7", "old-6");

        // a new resize (newest of all) and one whose start lies in what is still to be read
        resize("new", 100, ResizeStatus.RUNNING, "/d/a");
        resize("late", 2.5, ResizeStatus.RUNNING, "/d/a");

        List<String> rest = new ArrayList<>();
        ResizeKey after = first.next();
        while (after != null) {
            Page<ResizeRow, ResizeKey> page = page(null, null, null, after, 4);
            rest.addAll(page.items().stream().map(ResizeRow::id).toList());
            after = page.next();
        }
        // with OFFSET 4 the new one would have pushed old-6 onto the second page again
        assertThat(rest).containsExactly("old-5", "old-4", "old-3", "late", "old-2", "old-1");
    }

    @Test
    void filtersByStatusDiskAndVmPageToo() {
        String uuid = UUID.randomUUID().toString();
        for (int i = 1; i <= 6; i++) {
            resize("a" + i, i, i % 2 == 0 ? ResizeStatus.COMPLETED : ResizeStatus.FAILED, "/d/a");
            resize("b" + i, i + 0.5, ResizeStatus.COMPLETED, "/d/b");
            usedBy("a" + i, "vm1", uuid);
            usedBy("a" + i, "other", UUID.randomUUID().toString());
            usedBy("b" + i, i <= 2 ? "vm1" : "vm2", i <= 2 ? uuid : UUID.randomUUID().toString());
        }

        assertThat(walk(ResizeStatus.COMPLETED, null, null, 2)).containsExactly(
                List.of("b6", "a6"), List.of("b5", "b4"), List.of("a4", "b3"), List.of("b2", "a2"), List.of("b1"));
        assertThat(walk(null, "/d/b", null, 4)).containsExactly(List.of("b6", "b5", "b4", "b3"), List.of("b2", "b1"));
        assertThat(walk(ResizeStatus.FAILED, "/d/a", null, 2)).containsExactly(List.of("a5", "a3"), List.of("a1"));
        assertThat(walk(null, null, "vm1", 3)).containsExactly(
                List.of("a6", "a5", "a4"), List.of("a3", "b2", "a2"), List.of("b1", "a1"));
        assertThat(walk(null, null, uuid, 8)).flatExtracting(p -> p)
                .containsExactly("a6", "a5", "a4", "a3", "b2", "a2", "b1", "a1");
        assertThat(walk(ResizeStatus.COMPLETED, "/d/b", "vm2", 10)).containsExactly(List.of("b6", "b5", "b4", "b3"));
        assertThat(walk(null, null, "nobody", 10)).containsExactly(List.of());
    }
}
