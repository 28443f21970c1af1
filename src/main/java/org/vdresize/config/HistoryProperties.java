package org.vdresize.config;

import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the engine keeps the history of a finished resize, and when it removes what is older
 * ({@code vdresize.history.*}, docs/operator-guide.md, "History and retention"). A resize's own
 * view and the audit trail do not depend on that history.
 *
 * @param timeToLive         the history of a resize's process instance is removed this long after
 *                           it ended: whole days, at least 0 (ISO-8601 {@code P180D} or {@code 180d})
 * @param cleanupWindowStart the engine's history cleanup runs every day from this time of day
 *                           ({@code HH:mm}, optionally with an offset such as {@code 01:00+0100};
 *                           without one, the JVM's time zone); empty: no automatic cleanup
 * @param cleanupWindowEnd   ... until this time of day (may be before the start: the window then
 *                           spans midnight)
 */
@ConfigurationProperties("vdresize.history")
public record HistoryProperties(@DefaultValue("P180D") Duration timeToLive,
                                @DefaultValue("01:00") String cleanupWindowStart,
                                @DefaultValue("05:00") String cleanupWindowEnd) {

    private static final Pattern TIME_OF_DAY = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d([+-]\\d{4})?");

    public HistoryProperties {
        if (timeToLive == null || timeToLive.isNegative() || !timeToLive.equals(Duration.ofDays(timeToLive.toDays()))) {
            throw new IllegalArgumentException("vdresize.history.time-to-live must be a whole number of days, at least 0"
                    + " (such as P180D or 180d), not " + timeToLive);
        }
        cleanupWindowStart = cleanupWindowStart == null ? "" : cleanupWindowStart.strip();
        cleanupWindowEnd = cleanupWindowEnd == null ? "" : cleanupWindowEnd.strip();
        if (!cleanupWindowStart.isEmpty()) {
            check("vdresize.history.cleanup-window-start", cleanupWindowStart);
            check("vdresize.history.cleanup-window-end", cleanupWindowEnd);
        }
    }

    /** The time to live in whole days, as the engine takes it. */
    public int timeToLiveDays() {
        return Math.toIntExact(timeToLive.toDays());
    }

    /** Whether the cleanup runs by itself (in its window). */
    public boolean cleanupScheduled() {
        return !cleanupWindowStart.isEmpty();
    }

    private static void check(String name, String value) {
        if (!TIME_OF_DAY.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be a time of day such as 01:00 or 01:00+0100, not \"" + value + "\"");
        }
    }
}
