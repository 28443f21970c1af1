package org.vdresize.resize;

import static org.vdresize.common.Db.instant;
import static org.vdresize.common.Db.ts;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Figures over the resizes of the last days, for the Cockpit dashboard (api-contract.md, "Dashboard figures
 * and webapp sessions"): how many resizes started in the period by status, the growth of completed resizes
 * per UTC day and the disks that grew most. Growth is {@code newSize - oldSize} of a resize that
 * ended {@code COMPLETED} and was not a no-op, counted on the day it ended.
 */
@Service
public class ResizeStatistics {

    /** The longest period asked for: a year and a day, so a leap year fits. */
    public static final int MAX_DAYS = 366;
    /** How many disks the "grew most" list names. */
    public static final int TOP_DISKS = 10;

    /** The growth of one UTC day; days without growth are listed with zeros. */
    public record Day(LocalDate day, long growthBytes, int resizes) {
    }

    /** A disk and how much it grew in the period, over how many completed resizes. */
    public record DiskGrowth(String path, long growthBytes, int resizes) {
    }

    /**
     * @param from       the start of the first day (UTC midnight)
     * @param to         when the figures were read
     * @param byStatus   resizes started in the period, per status (every status, zeros included)
     * @param growthPerDay one entry per day from {@code from} to today, oldest first
     * @param topDisks   at most {@value #TOP_DISKS} disks, most growth first
     */
    public record Stats(int days, Instant from, Instant to, Map<ResizeStatus, Integer> byStatus, long growthBytes,
                        List<Day> growthPerDay, List<DiskGrowth> topDisks) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public ResizeStatistics(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The figures of the last {@code days} UTC days, today included (1 to {@value #MAX_DAYS}). */
    public Stats lastDays(int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("days must be from 1 to " + MAX_DAYS + ", not " + days);
        }
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        Instant from = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant tomorrow = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();

        Map<ResizeStatus, Integer> byStatus = new EnumMap<>(ResizeStatus.class);
        for (ResizeStatus status : ResizeStatus.values()) {
            byStatus.put(status, 0);
        }
        jdbc.query("select status, count(*) n from vdr_resize where started_at >= ? group by status", rs -> {
            byStatus.put(ResizeStatus.valueOf(rs.getString("status")), rs.getInt("n"));
        }, ts(from));

        // grouped by day here, not in SQL: a timestamp's UTC day is written differently in H2 and PostgreSQL
        Map<LocalDate, long[]> perDay = new LinkedHashMap<>();
        for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            perDay.put(day, new long[2]);
        }
        jdbc.query("select ended_at, new_size - old_size growth from vdr_resize where status = 'COMPLETED' "
                + "and noop = false and ended_at >= ? and ended_at < ? and new_size is not null and old_size is not null", rs -> {
            Instant ended = instant(rs, "ended_at");
            long[] sums = perDay.get(LocalDate.ofInstant(ended, ZoneOffset.UTC));
            sums[0] += rs.getLong("growth");
            sums[1]++;
        }, ts(from), ts(tomorrow));
        List<Day> growthPerDay = new ArrayList<>();
        long total = 0;
        for (Map.Entry<LocalDate, long[]> day : perDay.entrySet()) {
            growthPerDay.add(new Day(day.getKey(), day.getValue()[0], (int) day.getValue()[1]));
            total += day.getValue()[0];
        }

        List<DiskGrowth> top = jdbc.query("select disk_path, sum(new_size - old_size) growth, count(*) n from vdr_resize "
                + "where status = 'COMPLETED' and noop = false and ended_at >= ? and ended_at < ? "
                + "and new_size is not null and old_size is not null "
                + "group by disk_path order by growth desc, disk_path fetch first " + TOP_DISKS + " rows only",
                (rs, n) -> new DiskGrowth(rs.getString("disk_path"), rs.getLong("growth"), rs.getInt("n")),
                ts(from), ts(tomorrow));
        return new Stats(days, from, now.truncatedTo(ChronoUnit.MILLIS), byStatus, total, growthPerDay, top);
    }
}
