package org.vdresize.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Percentiles (nearest rank) and rounding for the benchmark's figures. */
final class Stats {

    private Stats() {
    }

    /** Nearest-rank percentile; NaN for no samples. */
    static double percentile(Collection<Double> samples, double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double round(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double f = Math.pow(10, decimals);
        return Math.round(value * f) / f;
    }
}
