package org.vdresize.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.SizeSpec;

/**
 * Turns the body of POST /api/resizes into a {@link ResizeRequest}, strictly: Jackson's data
 * binding would silently coerce {@code "notifyGuest": "yes"}-like values and ignore unknown fields
 * (Boot turns that off globally), so the body is read as a tree and every field checked here.
 * The size is parsed up front so a bad one is INVALID_SIZE before the service sees it.
 */
final class ResizeRequestReader {

    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_REASON_LENGTH = 500;

    private static final List<String> FIELDS = List.of("vm", "target", "pool", "volume", "path", "size",
            "notifyGuest", "growFilesystem", "reason");
    private static final Set<String> KNOWN = Set.copyOf(FIELDS);
    /**
     * Longer names cannot exist (libvirt keeps domains and pools in files named after them, paths end
     * at PATH_MAX); the limits equal the vdr_* columns so a rejection can still be audited.
     */
    private static final Map<String, Integer> MAX_LENGTH = Map.of("vm", 255, "target", 64, "pool", 255,
            "volume", 1024, "path", 4096);
    private static final int MAX_ECHOED_NAME = 40;

    private final ObjectReader reader;

    ResizeRequestReader(ObjectMapper mapper) {
        this.reader = mapper.readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // keeps 1.5 or 1e3 exact for SizeSpec; a double would round large byte counts
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    ResizeRequest read(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);  // chunked bodies have no Content-Length
        }
        if (body.length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        return parse(body);
    }

    ResizeRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = reader.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("malformed JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw invalid("the request body is empty; send a JSON object such as {\"vm\": \"vm1\", \"target\": \"vdb\", \"size\": \"20G\"}");
        }
        if (!root.isObject()) {
            throw invalid("the request body must be a JSON object, not " + kind(root));
        }
        rejectUnknownFields(root);

        String vm = text(root, "vm");
        String target = text(root, "target");
        String pool = text(root, "pool");
        String volume = text(root, "volume");
        String path = text(root, "path");
        Boolean notifyGuest = bool(root, "notifyGuest");
        Boolean growFilesystem = bool(root, "growFilesystem");
        String reason = reason(root);
        checkDiskNaming(vm, target, pool, volume, path);

        JsonNode sizeNode = root.get("size");
        if (sizeNode == null || sizeNode.isNull()) {
            throw invalid("size is missing: give the new size (\"20G\", 21474836480) or the growth (\"+5G\")");
        }
        Object size = sizeValue(sizeNode);
        SizeSpec spec = SizeSpec.parse(size);
        // the service gets what the client meant, normalised: the size text, or the bytes as a Long
        Object normalised = size instanceof String ? spec.text() : (Object) spec.bytes();
        return new ResizeRequest(vm, target, pool, volume, path, normalised, notifyGuest, growFilesystem, reason);
    }

    private static void rejectUnknownFields(JsonNode root) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN.contains(name)) {
                unknown.add("\"" + abbreviate(name) + "\"");
            }
        }
        if (!unknown.isEmpty()) {
            throw invalid("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; the fields are " + String.join(", ", FIELDS));
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

    /** A string field: absent or null is null; anything but a non-blank string is refused. */
    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(field + " must be a string, not " + kind(node));
        }
        String value = node.textValue();
        if (value.isBlank()) {
            throw invalid(field + " must not be blank");
        }
        int max = MAX_LENGTH.get(field);
        if (value.length() > max) {
            throw invalid(field + " is longer than " + max + " characters");
        }
        return value;
    }

    private static Boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw invalid(field + " must be true or false, not " + kind(node));
        }
        return node.booleanValue();
    }

    private static String reason(JsonNode root) {
        JsonNode node = root.get("reason");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid("reason must be a string, not " + kind(node));
        }
        String reason = node.textValue();
        // UTF-16 units, as Java and H2's VARCHAR(500) count them: an emoji counts twice, never overflows the column
        if (reason.length() > MAX_REASON_LENGTH) {
            throw invalid("reason has " + reason.length() + " characters; at most " + MAX_REASON_LENGTH + " are allowed");
        }
        return reason.isBlank() ? null : reason;
    }

    /** The size as SizeSpec expects it; non-scalars are handed over too so that it names them in its message. */
    private static Object sizeValue(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isArray()) {
            return List.of();
        }
        return Map.of();
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT, POJO -> "an object";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case NULL -> "null";
            default -> "nothing";
        };
    }

    private static String abbreviate(String name) {
        return name.length() <= MAX_ECHOED_NAME ? name : name.substring(0, MAX_ECHOED_NAME) + "...";
    }

    private static ResponseStatusException tooLarge() {
        return new ResponseStatusException(HttpStatus.PAYLOAD_TOO_LARGE,
                "the request body is larger than " + MAX_BODY_BYTES / 1024 + " KiB");
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(RejectionCode.INVALID_REQUEST, message);
    }
}
