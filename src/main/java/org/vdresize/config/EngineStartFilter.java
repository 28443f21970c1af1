package org.vdresize.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;
import org.vdresize.process.WatchProcess;

/**
 * The envelope of a process start through the engine's REST API (/engine-rest and the webapps'
 * /camunda/api/engine, which Tasklist's start form uses). The request's fields are checked in the
 * process, by the same validator as a REST body, so that a bad one ends the resize REJECTED with its
 * code; what this filter refuses never gets that far, because the engine itself would fail on it
 * with a 500 before or after the process ran:
 * <ul>
 * <li>variables of a type the engine cannot store here (Object, Json, Xml, File, or an untyped
 * JSON object or list: no serializer, Java serialization is off),</li>
 * <li>strings longer than the engine's 4000 characters of a string variable,</li>
 * <li>skipCustomListeners / skipIoMappings, and startInstructions: a start at another activity than
 * the start event would skip validation, the disk lock and the approval.</li>
 * </ul>
 * Each is a 400 in engine-rest's own error format, and nothing is started. So is any start of a
 * disk watch: watches are created by POST /api/watches only (an instance started otherwise would
 * end at its first step anyway, as it acts for no watch).
 */
public class EngineStartFilter extends OncePerRequestFilter {

    /** the engine keeps a string variable in a VARCHAR(4000) */
    static final int MAX_STRING = 4000;
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Pattern START = Pattern.compile(".*/process-definition/.+/(start|submit-form)/?");
    /** by key (with or without a tenant) or by a definition id, which starts with the key */
    private static final Pattern WATCH_START = Pattern.compile(".*/process-definition/(key/"
            + Pattern.quote(WatchProcess.PROCESS_KEY) + "(/.*)?|" + Pattern.quote(WatchProcess.PROCESS_KEY) + ":[^/]*)/(start|submit-form)/?");
    private static final Set<String> STORABLE_TYPES = Set.of("string", "boolean", "integer", "short", "long", "double",
            "date", "bytes", "null");

    private final ObjectMapper json;

    public EngineStartFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !START.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (WATCH_START.matcher(request.getRequestURI()).matches()) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "a disk watch is started by POST /api/watches,"
                    + " which checks the disk and maxSize; it is not started through the engine");
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "the request body is larger than " + MAX_BODY_BYTES / 1024 + " KiB");
            return;
        }
        Optional<String> refusal = whyRefused(body);
        if (refusal.isPresent()) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, refusal.get());
            return;
        }
        chain.doFilter(new CachedBody(request, body), response);
    }

    /** Why the engine could not take this start, or empty (a body that is no JSON is engine-rest's to refuse). */
    Optional<String> whyRefused(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException notJson) {
            return Optional.empty();
        }
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode instructions = root.get("startInstructions");
        if (instructions != null && !instructions.isNull() && !(instructions.isArray() && instructions.isEmpty())) {
            return Optional.of("startInstructions are not accepted: a resize starts at its start event, where it is"
                    + " validated");
        }
        for (String skip : new String[] {"skipCustomListeners", "skipIoMappings"}) {
            if (root.path(skip).asBoolean(false)) {
                return Optional.of(skip + " is not accepted: a resize starts with all of its listeners");
            }
        }
        JsonNode variables = root.get("variables");
        if (variables == null || !variables.isObject()) {
            return Optional.empty();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = variables.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> variable = it.next();
            Optional<String> why = whyNotStorable(abbreviate(variable.getKey()), variable.getValue());
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> whyNotStorable(String name, JsonNode variable) {
        if (!variable.isObject()) {
            return Optional.empty(); // engine-rest refuses it as a malformed body
        }
        JsonNode type = variable.get("type");
        if (type != null && !type.isNull() && !STORABLE_TYPES.contains(type.asText().toLowerCase(Locale.ROOT))) {
            return Optional.of("variable " + name + ": the type " + abbreviate(type.asText()) + " is not accepted;"
                    + " the fields of a resize are strings, numbers and booleans");
        }
        JsonNode value = variable.path("value");
        if (value.isContainerNode()) {
            return Optional.of("variable " + name + ": a JSON object or list is not accepted;"
                    + " the fields of a resize are strings, numbers and booleans");
        }
        if (value.isTextual() && value.textValue().length() > MAX_STRING) {
            return Optional.of("variable " + name + " is longer than " + MAX_STRING + " characters");
        }
        return Optional.empty();
    }

    private void refuse(HttpServletResponse response, int status, String message) throws IOException {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("type", "InvalidRequestException");
        error.put("message", message);
        error.putNull("code");
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(json.writeValueAsBytes(error));
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /** The request with its body read once, to check it, and given to the engine again. */
    private static final class CachedBody extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body),
                    encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
