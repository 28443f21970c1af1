package org.vdresize.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Hours until a filesystem is full, from its recent samples: the least-squares slope of used bytes
 * over time, and the free bytes of the newest sample. Only samples of the filesystem's current
 * size count (a grow changes the picture), and at least two that span a minute.
 */
final class FillProjection {

    static final Duration WINDOW = Duration.ofHours(6);
    private static final Duration MIN_SPAN = Duration.ofMinutes(1);

    private FillProjection() {
    }

    /** Oldest first; each a (time, used, total) triple. */
    record Point(Instant at, long used, long total) {
    }

    /** @return hours to full, or {@link PolicyInputs#UNKNOWN_HOURS} when it does not fill or cannot be told */
    static double hoursToFull(List<Point> samples) {
        if (samples.size() < 2) {
            return PolicyInputs.UNKNOWN_HOURS;
        }
        Point newest = samples.get(samples.size() - 1);
        List<Point> same = samples.stream().filter(p -> p.total() == newest.total()).toList();
        if (same.size() < 2 || Duration.between(same.get(0).at(), newest.at()).compareTo(MIN_SPAN) < 0) {
            return PolicyInputs.UNKNOWN_HOURS;
        }
        Instant origin = same.get(0).at();
        double n = same.size();
        double sumT = 0;
        double sumU = 0;
        for (Point p : same) {
            sumT += seconds(origin, p);
            sumU += p.used();
        }
        double meanT = sumT / n;
        double meanU = sumU / n;
        double cov = 0;
        double var = 0;
        for (Point p : same) {
            double t = seconds(origin, p) - meanT;
            cov += t * (p.used() - meanU);
            var += t * t;
        }
        double bytesPerSecond = var == 0 ? 0 : cov / var;
        if (bytesPerSecond <= 0) {
            return PolicyInputs.UNKNOWN_HOURS;
        }
        long free = Math.max(0, newest.total() - newest.used());
        return free / bytesPerSecond / 3600.0;
    }

    private static double seconds(Instant origin, Point p) {
        return Duration.between(origin, p.at()).toMillis() / 1000.0;
    }
}
