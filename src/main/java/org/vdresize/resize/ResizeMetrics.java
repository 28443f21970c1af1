package org.vdresize.resize;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The resize's business metrics (Prometheus names in brackets):
 * <ul>
 * <li>{@code vdresize.resizes} [{@code vdresize_resizes_total{outcome}}]: resizes that reached a
 * final status, by that status (COMPLETED, ROLLED_BACK, REJECTED, FAILED), counted after the
 * step's transaction committed. A REST request answered with a 4xx started nothing and is not
 * counted here (Spring's {@code http_server_requests_seconds_count{uri="/api/resizes"}} has it).</li>
 * <li>{@code vdresize.resize.duration} [{@code vdresize_resize_duration_seconds{outcome}}]: from
 * acceptance to the final status, approval waits and operator decisions included; a histogram with
 * buckets from 1 s to 4 h.</li>
 * <li>{@code vdresize.resizes.in.progress} [{@code vdresize_resizes_in_progress{status}}]: resizes now
 * RUNNING, WAITING_FOR_APPROVAL or NEEDS_ATTENTION, read from the shared database at each scrape
 * (every node of a cluster reports the same number: aggregate with max, not sum).</li>
 * </ul>
 * Counters and the histogram are per node: the node whose job wrote the final status counts it.
 */
@Component
public class ResizeMetrics {

    static final String RESIZES = "vdresize.resizes";
    static final String DURATION = "vdresize.resize.duration";
    static final String IN_PROGRESS = "vdresize.resizes.in.progress";
    private static final List<ResizeStatus> OPEN = List.of(ResizeStatus.RUNNING, ResizeStatus.WAITING_FOR_APPROVAL,
            ResizeStatus.NEEDS_ATTENTION);

    private final Map<ResizeStatus, Counter> counters = new EnumMap<>(ResizeStatus.class);
    private final Map<ResizeStatus, Timer> durations = new EnumMap<>(ResizeStatus.class);

    public ResizeMetrics(MeterRegistry registry, JdbcTemplate jdbc) {
        for (ResizeStatus status : ResizeStatus.values()) {
            if (status.isFinal()) {
                // registered up front: a rate() over an outcome that has not happened yet is 0, not absent
                counters.put(status, Counter.builder(RESIZES)
                        .description("Resizes that reached a final status, by that status")
                        .tag("outcome", status.name())
                        .register(registry));
                durations.put(status, Timer.builder(DURATION)
                        .description("Time from accepting a resize to its final status")
                        .tag("outcome", status.name())
                        .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
                                Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
                                Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1),
                                Duration.ofHours(4))
                        .register(registry));
            }
        }
        for (ResizeStatus status : OPEN) {
            Gauge.builder(IN_PROGRESS, jdbc, db -> count(db, status))
                    .description("Resizes not finished yet, by status (from the database shared by all nodes)")
                    .tag("status", status.name())
                    .register(registry);
        }
    }

    /** After the commit of the step that wrote the final status; at once when there was no transaction. */
    @TransactionalEventListener(fallbackExecution = true)
    public void ended(ResizeEnded event) {
        counters.get(event.status()).increment();
        if (event.startedAt() != null && event.endedAt() != null && !event.endedAt().isBefore(event.startedAt())) {
            durations.get(event.status()).record(Duration.between(event.startedAt(), event.endedAt()));
        }
    }

    private static double count(JdbcTemplate jdbc, ResizeStatus status) {
        Integer n = jdbc.queryForObject("select count(*) from vdr_resize where status = ?", Integer.class, status.name());
        return n == null ? 0 : n;
    }
}
