package org.vdresize.watch;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.RequestFields;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.SizeSpec;

/**
 * The validator of a watch request's fields ({@code POST /api/watches}). The disk is named and
 * checked exactly as for a resize ({@link RequestFields}); the watch's own fields are checked here,
 * with the resize API's codes: INVALID_REQUEST, INVALID_SIZE.
 */
public final class WatchFields {

    public static final String MAX_SIZE = "maxSize";
    public static final String MOUNTPOINT = "mountpoint";
    public static final String MODE = "mode";
    public static final String INTERVAL = "interval";
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    /** a guest agent round trip takes up to seconds under load; faster sampling only adds load */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    public static final Duration MAX_INTERVAL = Duration.ofDays(1);
    private static final List<String> DISK_FIELDS = List.of(RequestFields.VM, RequestFields.TARGET, RequestFields.POOL,
            RequestFields.VOLUME, RequestFields.PATH);
    private static final List<String> NAMES = List.of(RequestFields.VM, RequestFields.TARGET, RequestFields.POOL,
            RequestFields.VOLUME, RequestFields.PATH, MAX_SIZE, MOUNTPOINT, MODE, INTERVAL);
    private static final int MAX_MOUNTPOINT = 4000;

    private WatchFields() {
    }

    /** @throws ResizeRejectedException INVALID_REQUEST or INVALID_SIZE */
    public static WatchRequest read(Map<String, ?> fields) {
        Set<String> unknown = new TreeSet<>(fields.keySet());
        NAMES.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw invalid("unknown field" + (unknown.size() > 1 ? "s " : " ")
                    + unknown.stream().limit(5).map(n -> "\"" + (n.length() > 40 ? n.substring(0, 40) + "..." : n) + "\"")
                    .toList() + "; the fields are " + String.join(", ", NAMES));
        }
        // the disk: the resize validator's own rules, with a size that asks for nothing
        Map<String, Object> disk = new LinkedHashMap<>();
        for (String name : DISK_FIELDS) {
            if (fields.get(name) != null) {
                disk.put(name, fields.get(name));
            }
        }
        disk.put(RequestFields.SIZE, "+0");
        ResizeRequest named = RequestFields.read(disk, RequestFields.Source.JSON);
        return new WatchRequest(named.vm(), named.target(), named.pool(), named.volume(), named.path(),
                maxSize(fields.get(MAX_SIZE)), mountpoint(fields.get(MOUNTPOINT)), mode(fields.get(MODE)),
                interval(fields.get(INTERVAL)));
    }

    private static long maxSize(Object value) {
        if (value == null) {
            throw invalid("maxSize is missing: give the largest size the watch may grow the disk to (\"50G\")");
        }
        SizeSpec size = SizeSpec.parse(value);
        if (size.relative()) {
            throw new ResizeRejectedException(RejectionCode.INVALID_SIZE,
                    "maxSize must be an absolute size such as \"50G\", not a growth");
        }
        return size.targetBytes(0);
    }

    private static String mountpoint(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw invalid("mountpoint must be a string");
        }
        if (text.length() > MAX_MOUNTPOINT) {
            throw invalid("mountpoint is longer than " + MAX_MOUNTPOINT + " characters");
        }
        if (!text.startsWith("/") || text.chars().anyMatch(c -> c < 0x20)) {
            throw invalid("mountpoint must be an absolute path in the guest, such as \"/srv\"");
        }
        return text;
    }

    private static WatchMode mode(Object value) {
        if (value == null) {
            return WatchMode.AUTO;
        }
        if (value instanceof String text) {
            try {
                return WatchMode.valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // answered below
            }
        }
        throw invalid("mode must be AUTO or OBSERVE");
    }

    private static Duration interval(Object value) {
        if (value == null) {
            return DEFAULT_INTERVAL;
        }
        if (!(value instanceof String text)) {
            throw invalid("interval must be an ISO-8601 duration such as \"PT5M\"");
        }
        Duration interval;
        try {
            interval = Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw invalid("interval must be an ISO-8601 duration such as \"PT5M\"");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw invalid("interval must be from " + MIN_INTERVAL + " to " + MAX_INTERVAL);
        }
        return interval;
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(RejectionCode.INVALID_REQUEST, message);
    }
}
