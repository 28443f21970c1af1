package org.vdresize.watch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Per watch (Prometheus names in brackets): {@code vdresize.watch.used.ratio}
 * [{@code vdresize_watch_used_ratio{watch}}], the used fraction of the watched filesystem at the
 * last sample this node took, and {@code vdresize.watch.decisions}
 * [{@code vdresize_watch_decisions_total{watch,action}}], the policy's decisions on this node.
 */
@Component
public class WatchMetrics {

    static final String USED_RATIO = "vdresize.watch.used.ratio";
    static final String DECISIONS = "vdresize.watch.decisions";

    private final MeterRegistry registry;
    /** the ratio as the bits of a double, read by the gauge */
    private final Map<String, AtomicLong> ratios = new ConcurrentHashMap<>();

    public WatchMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void usedRatio(String watchId, double ratio) {
        ratios.computeIfAbsent(watchId, id -> {
            AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
            Gauge.builder(USED_RATIO, bits, b -> Double.longBitsToDouble(b.get()))
                    .description("Used fraction of the watched filesystem at the last sample")
                    .tag("watch", id).register(registry);
            return bits;
        }).set(Double.doubleToLongBits(ratio));
    }

    void decision(String watchId, WatchAction action) {
        Counter.builder(DECISIONS).description("Decisions of the autogrow policy")
                .tag("watch", watchId).tag("action", action.name()).register(registry).increment();
    }
}
