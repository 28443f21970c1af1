package org.vdresize.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.RequestFields;

/**
 * Turns the body of POST /api/resizes into a {@link ResizeRequest}, strictly: Jackson's data
 * binding would silently coerce {@code "notifyGuest": "yes"}-like values and ignore unknown fields
 * (Boot turns that off globally), so the body is read as a tree here, and its fields are checked by
 * {@link RequestFields}, the validator that engine-rest and Tasklist starts go through too. The
 * size is parsed up front so a bad one is INVALID_SIZE before the service sees it.
 */
final class ResizeRequestReader {

    static final int MAX_BODY_BYTES = 64 * 1024;

    private final ObjectReader reader;

    ResizeRequestReader(ObjectMapper mapper) {
        this.reader = mapper.readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // keeps 1.5 or 1e3 exact for SizeSpec; a double would round large byte counts
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    ResizeRequest read(HttpServletRequest request) throws IOException {
        return RequestFields.read(fields(request), RequestFields.Source.JSON);
    }

    /** The body's fields as the validators check them (also those of other requests, such as a watch). */
    Map<String, Object> fields(HttpServletRequest request) throws IOException {
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
        return fields(body);
    }

    ResizeRequest parse(byte[] body) {
        return RequestFields.read(fields(body), RequestFields.Source.JSON);
    }

    private Map<String, Object> fields(byte[] body) {
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
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            fields.put(field.getKey(), value(field.getValue()));
        }
        return fields;
    }

    /**
     * A JSON value as the Java value the validator checks: strings, booleans, exact numbers; lists and
     * objects only as what they are (the validator names their kind, never their content).
     */
    private static Object value(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
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

    private static ResponseStatusException tooLarge() {
        return new ResponseStatusException(HttpStatus.PAYLOAD_TOO_LARGE,
                "the request body is larger than " + MAX_BODY_BYTES / 1024 + " KiB");
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(RejectionCode.INVALID_REQUEST, message);
    }
}
