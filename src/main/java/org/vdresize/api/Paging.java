package org.vdresize.api;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.vdresize.common.Page;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;

/**
 * The {@code limit} and {@code cursor} parameters of the lists and their RFC 8288 {@code Link: <...>;
 * rel="next"} (api-contract.md, "Paging").
 *
 * <p>A cursor is the sort key of the last entry of a page, base64url-encoded with the name of its
 * list: opaque to clients, and meaningless on another list. It names a position, not a snapshot,
 * so the next page starts right after that entry whatever was added or removed meanwhile.
 *
 * <p>The link is a relative reference with an absolute path (RFC 3986 4.2), {@code /api/...?...}:
 * no scheme or host, so it is neither built from a Host header a client chose nor wrong behind a
 * reverse proxy that keeps the path. The path is the request's own ({@code getRequestURI()}), so a
 * proxy that serves the API under another prefix and says so in {@code X-Forwarded-Prefix} is
 * honoured when the operator turns on {@code server.forward-headers-strategy=framework}
 * (docs/operator-guide.md, "Behind a reverse proxy").
 */
final class Paging {

    static final String LIMIT = "limit";
    static final String CURSOR = "cursor";
    private static final char SEPARATOR = '\u0000';  // in neither paths, ids nor instants
    private static final int MAX_CURSOR_LENGTH = 16 * 1024;

    private Paging() {
    }

    /** {@value Page#DEFAULT_LIMIT} when absent; otherwise a whole number from 1 to {@value Page#MAX_LIMIT}. */
    static int limit(String value) {
        if (value == null || value.isBlank()) {
            return Page.DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= Page.MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid("limit must be a whole number from 1 to " + Page.MAX_LIMIT + ", not " + value);
    }

    static String encode(String list, String... key) {
        StringBuilder text = new StringBuilder(list);
        for (String part : key) {
            text.append(SEPARATOR).append(part);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The parts of a cursor this list gave out, or null when there is none; any other text is a 400.
     * What the parts mean (an instant, a number) the caller checks, with {@link #badCursor()}.
     */
    static List<String> decode(String list, int parts, String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        if (cursor.length() > MAX_CURSOR_LENGTH) {
            throw badCursor();
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
        List<String> split = Arrays.asList(text.split(String.valueOf(SEPARATOR), -1));
        if (split.size() != parts + 1 || !split.get(0).equals(list)) {
            throw badCursor();
        }
        return split.subList(1, split.size());
    }

    static ResizeRejectedException badCursor() {
        return invalid("cursor is not one that this list gave out; follow the Link header of the previous page, "
                + "or leave cursor out for the first page");
    }

    /** 200 with the page's entries and, when there are more, the link to the next page. */
    static <T> ResponseEntity<List<T>> answer(HttpServletRequest request, Map<String, String> filters, int limit,
                                              List<T> items, String nextCursor) {
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
        if (nextCursor != null) {
            ok.header(HttpHeaders.LINK, "<" + nextUri(request, filters, limit, nextCursor) + ">; rel=\"next\"");
        }
        return ok.body(items);
    }

    /** This list's path with the same filters and limit and the new cursor. */
    static String nextUri(HttpServletRequest request, Map<String, String> filters, int limit, String cursor) {
        StringBuilder uri = new StringBuilder(request.getRequestURI()).append('?');
        filters.forEach((name, value) -> {
            if (value != null) {
                uri.append(name).append('=').append(queryValue(value)).append('&');
            }
        });
        return uri.append(LIMIT).append('=').append(limit).append('&').append(CURSOR).append('=').append(cursor).toString();
    }

    /** Percent-encoded ('+' too, which a query would read as a space); '/' and ':' stay readable. */
    private static String queryValue(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/").replace("%3A", ":");
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(RejectionCode.INVALID_REQUEST, message);
    }
}
