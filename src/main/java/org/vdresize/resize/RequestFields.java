package org.vdresize.resize;

import static org.vdresize.resize.RejectionCode.INVALID_REQUEST;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one validator of a resize request's fields, whichever way they come in: the JSON body of
 * {@code POST /api/resizes}, or the variables of a start through engine-rest or Tasklist's start
 * form. A field of the wrong type, an unknown field, a disk named in no or two ways, a size that is
 * no size: INVALID_REQUEST or INVALID_SIZE, with the same message for every way in.
 *
 * <p>The ways in differ only in how values are written, never in what they mean: process variables
 * come from forms (an untouched text field is an empty string, a typed name may have spaces around
 * it) and from untyped engine-rest clients (a flag as the string "true"), JSON has real booleans.
 */
public final class RequestFields {

    /** How the values are written. */
    public enum Source {
        /** a JSON body: a blank text is an error, flags are JSON booleans */
        JSON,
        /** process variables: a blank text is absent, texts are trimmed, flags may be "true"/"false" strings */
        VARIABLES
    }

    public static final String VM = "vm";
    public static final String TARGET = "target";
    public static final String POOL = "pool";
    public static final String VOLUME = "volume";
    public static final String PATH = "path";
    public static final String SIZE = "size";
    public static final String NOTIFY_GUEST = "notifyGuest";
    public static final String GROW_FILESYSTEM = "growFilesystem";
    public static final String REASON = "reason";

    /** Every field of a request; nothing else is accepted. */
    public static final List<String> NAMES = List.of(VM, TARGET, POOL, VOLUME, PATH, SIZE, NOTIFY_GUEST,
            GROW_FILESYSTEM, REASON);

    /**
     * Longer names cannot exist (libvirt keeps domains and pools in files named after them, paths end
     * at PATH_MAX); the limits fit the vdr_* columns, so that a rejection can still be recorded. A
     * path stops at 4000, not PATH_MAX: the engine keeps a string variable in at most 4000 characters.
     * The reason's limit is {@link ResizeRequest#MAX_REASON_LENGTH}.
     */
    public static final Map<String, Integer> MAX_LENGTH = Map.of(VM, 255, TARGET, 64, POOL, 255, VOLUME, 1024,
            PATH, 4000, REASON, ResizeRequest.MAX_REASON_LENGTH);

    private static final Set<String> KNOWN = Set.copyOf(NAMES);
    private static final int MAX_ECHOED_NAME = 40;
    private static final int MAX_ECHOED_NAMES = 5;

    private RequestFields() {
    }

    /**
     * The request these fields ask for. A null value is an absent field.
     *
     * @throws ResizeRejectedException INVALID_REQUEST or INVALID_SIZE
     */
    public static ResizeRequest read(Map<String, ?> fields, Source source) {
        rejectUnknown(fields.keySet());
        String vm = text(fields, VM, source);
        String target = text(fields, TARGET, source);
        String pool = text(fields, POOL, source);
        String volume = text(fields, VOLUME, source);
        String path = text(fields, PATH, source);
        Boolean notifyGuest = flag(fields, NOTIFY_GUEST, source);
        Boolean growFilesystem = flag(fields, GROW_FILESYSTEM, source);
        String reason = reason(fields.get(REASON));
        checkDiskNaming(vm, target, pool, volume, path);
        checkPath(path);

        Object size = fields.get(SIZE);
        if (size == null || (source == Source.VARIABLES && size instanceof String s && s.isBlank())) {
            throw invalid("size is missing: give the new size (\"20G\", 21474836480) or the growth (\"+5G\")");
        }
        SizeSpec spec = SizeSpec.parse(size);
        // what the client meant, normalised: the size text, or the bytes as a Long
        Object normalised = size instanceof CharSequence ? spec.text() : (Object) spec.bytes();
        return new ResizeRequest(vm, target, pool, volume, path, normalised, notifyGuest, growFilesystem, reason);
    }

    /**
     * The same rules for a request built in code (a caller that did not come through {@link #read}):
     * the disk named in exactly one complete way, a normal absolute path, a size, a reason that fits.
     */
    static void checkShape(ResizeRequest r) {
        for (Map.Entry<String, String> text : Map.of(VM, nullToEmpty(r.vm()), TARGET, nullToEmpty(r.target()),
                POOL, nullToEmpty(r.pool()), VOLUME, nullToEmpty(r.volume()), PATH, nullToEmpty(r.path()),
                REASON, nullToEmpty(r.reason())).entrySet()) {
            checkLength(text.getKey(), text.getValue());
        }
        checkDiskNaming(blankToNull(r.vm()), blankToNull(r.target()), blankToNull(r.pool()), blankToNull(r.volume()),
                blankToNull(r.path()));
        checkPath(r.path());
        if (r.size() == null) {
            throw invalid("size is missing: give the new size (\"20G\", 21474836480) or the growth (\"+5G\")");
        }
    }

    private static void rejectUnknown(Collection<String> names) {
        Set<String> unknown = new TreeSet<>();
        for (String name : names) {
            if (!KNOWN.contains(name)) {
                unknown.add(name);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        List<String> echoed = new ArrayList<>();
        for (String name : unknown) {
            if (echoed.size() == MAX_ECHOED_NAMES) {
                echoed.add("and " + (unknown.size() - MAX_ECHOED_NAMES) + " more");
                break;
            }
            echoed.add("\"" + abbreviate(name) + "\"");
        }
        throw invalid("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", echoed)
                + "; the fields are " + String.join(", ", NAMES));
    }

    /** A name: absent (null) or a string; too long or (in JSON) blank is refused. */
    private static String text(Map<String, ?> fields, String field, Source source) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(field + " must be a string, not " + kind(value));
        }
        String text = source == Source.VARIABLES ? s.strip() : s;
        if (text.isBlank()) {
            if (source == Source.VARIABLES) {
                return null;
            }
            throw invalid(field + " must not be blank");
        }
        checkLength(field, text);
        return text;
    }

    private static Boolean flag(Map<String, ?> fields, String field, Source source) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (source == Source.VARIABLES && value instanceof String s) {
            String word = s.strip().toLowerCase(Locale.ROOT);
            if (word.isEmpty()) {
                return null;
            }
            if (word.equals("true") || word.equals("false")) {
                return Boolean.valueOf(word);
            }
            throw invalid(field + " must be true or false, not another string");
        }
        throw invalid(field + " must be true or false, not " + kind(value));
    }

    /** Free text for the audit trail: a string that fits; a blank one is no reason. */
    private static String reason(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String reason)) {
            throw invalid(REASON + " must be a string, not " + kind(value));
        }
        if (reason.length() > MAX_LENGTH.get(REASON)) {
            throw invalid("reason has " + reason.length() + " characters; at most " + MAX_LENGTH.get(REASON)
                    + " are allowed");
        }
        return reason.isBlank() ? null : reason;
    }

    private static void checkLength(String field, String value) {
        int max = MAX_LENGTH.get(field);
        if (value.length() > max) {
            throw invalid(REASON.equals(field)
                    ? "reason has " + value.length() + " characters; at most " + max + " are allowed"
                    : field + " is longer than " + max + " characters");
        }
    }

    private static void checkDiskNaming(String vm, String target, String pool, String volume, String path) {
        int ways = (vm != null || target != null ? 1 : 0) + (pool != null || volume != null ? 1 : 0)
                + (path != null ? 1 : 0);
        if (ways == 0) {
            throw invalid("the disk is not named: give vm and target, pool and volume, or path");
        }
        if (ways > 1) {
            throw invalid("name the disk in exactly one way: vm and target, pool and volume, or path");
        }
        if ((vm == null) != (target == null)) {
            throw invalid(vm == null ? "target needs vm: give both, such as {\"vm\": \"vm1\", \"target\": \"vdb\"}"
                    : "vm needs target, the disk's target device such as \"vdb\"");
        }
        if ((pool == null) != (volume == null)) {
            throw invalid(pool == null ? "volume needs pool: give both" : "pool needs volume: give both");
        }
    }

    private static void checkPath(String path) {
        if (path != null && !isNormalAbsolute(path)) {
            throw invalid("path must be absolute and normalized (no '.', '..' or '//')");
        }
    }

    private static boolean isNormalAbsolute(String path) {
        try {
            return path.startsWith("/") && Path.of(path).normalize().toString().equals(path);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** What a value is, for a message; never the value itself. */
    static String kind(Object value) {
        if (value instanceof CharSequence) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof Iterable<?> || (value.getClass().isArray() && !(value instanceof byte[]))) {
            return "a list";
        }
        if (value instanceof Date || value instanceof java.time.temporal.Temporal) {
            return "a date";
        }
        if (value instanceof byte[] || value instanceof java.io.InputStream) {
            return "bytes";
        }
        return "an object";
    }

    private static String abbreviate(String name) {
        return name.length() <= MAX_ECHOED_NAME ? name : name.substring(0, MAX_ECHOED_NAME) + "...";
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(INVALID_REQUEST, message);
    }
}
