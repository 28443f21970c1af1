package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.vdresize.common.Db;
import org.vdresize.resize.ResizeStatistics.Day;
import org.vdresize.resize.ResizeStatistics.DiskGrowth;
import org.vdresize.resize.ResizeStatistics.Stats;

/** The dashboard's figures on a database migrated by Flyway, with a fixed clock. */
class ResizeStatisticsTest {

    private static final long MIB = 1024 * 1024;
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private JdbcTemplate jdbc;
    private ResizeStatistics statistics;

    @BeforeEach
    void database() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:stats-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).load().migrate();
        jdbc = new JdbcTemplate(ds);
        statistics = new ResizeStatistics(jdbc, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    void resize(String status, boolean noop, String disk, long oldMib, long newMib, String started, String ended) {
        jdbc.update("insert into vdr_resize (id, status, noop, disk_path, old_size, new_size, started_at, ended_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?)", UUID.randomUUID().toString(), status, noop, disk,
                oldMib * MIB, newMib * MIB, Db.ts(Instant.parse(started)), ended == null ? null : Db.ts(Instant.parse(ended)));
    }

    @Test
    void countsByStatusSumsGrowthPerDayOfTheEndAndRanksTheDisks() {
        resize("COMPLETED", false, "/a", 100, 164, "2026-12-06T08:00:00Z", "2026-12-06T08:00:05Z");   // +64 today
        resize("COMPLETED", false, "/b", 100, 116, "2026-12-05T23:59:58Z", "2026-12-06T00:00:01Z");   // +16 today
        resize("COMPLETED", false, "/b", 50, 82, "2026-11-07T10:00:00Z", "2026-11-07T10:00:02Z");     // +32, first day
        resize("COMPLETED", true, "/a", 164, 164, "2026-12-06T09:00:00Z", "2026-12-06T09:00:00Z");    // no-op: no growth
        resize("FAILED", false, "/c", 10, 20, "2026-12-04T09:00:00Z", "2026-12-04T09:01:00Z");        // not grown
        resize("WAITING_FOR_APPROVAL", false, "/c", 10, 500, "2026-12-06T10:00:00Z", null);
        resize("COMPLETED", false, "/old", 1, 1000, "2026-11-06T23:00:00Z", "2026-11-06T23:59:59Z");  // before the period

        Stats stats = statistics.lastDays(30);

        assertThat(stats.from()).isEqualTo(Instant.parse("2026-11-07T00:00:00Z"));
        assertThat(stats.to()).isEqualTo(NOW);
        assertThat(stats.byStatus()).containsEntry(ResizeStatus.COMPLETED, 4).containsEntry(ResizeStatus.FAILED, 1)
                .containsEntry(ResizeStatus.WAITING_FOR_APPROVAL, 1).containsEntry(ResizeStatus.RUNNING, 0)
                .hasSize(ResizeStatus.values().length);
        assertThat(stats.growthPerDay()).hasSize(30);
        assertThat(stats.growthPerDay().get(0)).isEqualTo(new Day(LocalDate.parse("2026-11-07"), 32 * MIB, 1));
        assertThat(stats.growthPerDay().get(29)).isEqualTo(new Day(LocalDate.parse("2026-12-06"), 80 * MIB, 2));
        assertThat(stats.growthPerDay().subList(1, 29)).allMatch(d -> d.growthBytes() == 0 && d.resizes() == 0);
        assertThat(stats.growthBytes()).isEqualTo(112 * MIB);
        assertThat(stats.topDisks()).containsExactly(new DiskGrowth("/a", 64 * MIB, 1), new DiskGrowth("/b", 48 * MIB, 2));
    }

    @Test
    void anEmptyTrailHasZerosForEveryDayAndStatus() {
        Stats stats = statistics.lastDays(1);
        assertThat(stats.growthPerDay()).containsExactly(new Day(LocalDate.parse("2026-12-06"), 0, 0));
        assertThat(stats.byStatus().values()).allMatch(n -> n == 0);
        assertThat(stats.topDisks()).isEmpty();
    }

    @Test
    void onlyTenDisksAreRanked() {
        for (int i = 1; i <= 12; i++) {
            resize("COMPLETED", false, "/d" + (100 + i), 1, 1 + i, "2026-12-06T08:00:00Z", "2026-12-06T08:00:01Z");
        }
        assertThat(statistics.lastDays(30).topDisks()).hasSize(10).first().isEqualTo(new DiskGrowth("/d112", 12 * MIB, 1));
    }

    @Test
    void aPeriodOutsideOneToAYearIsRefused() {
        assertThatThrownBy(() -> statistics.lastDays(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> statistics.lastDays(367)).isInstanceOf(IllegalArgumentException.class);
    }
}
