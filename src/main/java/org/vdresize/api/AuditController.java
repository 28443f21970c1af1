package org.vdresize.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditFilter;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.common.Page;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;

/** The business audit trail, as JSON or, for {@code Accept: text/csv}, as CSV. */
@RestController
@Tag(name = "Audit", description = "The business audit trail")
public class AuditController {

    static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

    private final AuditService auditService;

    public AuditController(AuditService auditService) {
        this.auditService = auditService;
    }

    /**
     * One handler for both formats: two handlers that differ only in {@code produces} are ambiguous
     * for {@code Accept: *}{@code /*}, which must give JSON. JSON comes a page at a time; CSV is every
     * matching entry, written to the response as it is read from the database (never a list of them
     * all in memory). The CSV is written here, on the request's thread: Spring streams a
     * StreamingResponseBody only from a handler declared to return one, which this one cannot be.
     */
    @GetMapping(path = "/api/audit", produces = {MediaType.APPLICATION_JSON_VALUE, "text/csv"})
    @Operation(summary = "Read the audit trail", description = "One event per business fact, in the order of the "
            + "trail (oldest first): requests, rejections, approvals, storage and VM steps, guest outcomes, operator "
            + "decisions, the end of each resize. JSON comes one page at a time (at most `limit`); when there are more, "
            + "the Link header names the next page (rel=\"next\"), with the same filters: follow it until there is "
            + "no Link. The cursor is the place in the trail (seq), so entries written while a client pages come in "
            + "a later page, none twice and none skipped. With Accept: text/csv, every matching event as CSV, "
            + "streamed (no limit; limit and cursor are not used).",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The events",
                            headers = @Header(name = HttpHeaders.LINK, description = ApiDocs.LINK_NEXT + " (JSON only)",
                                    schema = @Schema(type = "string")),
                            content = {
                            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    array = @ArraySchema(schema = @Schema(implementation = AuditEvent.class))),
                            @Content(mediaType = "text/csv", schema = @Schema(type = "string"),
                                    examples = @ExampleObject(name = "csv", value = AuditCsv.HEADER + "\r\n"
                                            + "2026-01-31T12:00:00.123Z,RESIZE_REQUESTED,8f0c2a4e-ea6b-11f0-9d1e-0242ac110002,"
                                            + "/var/lib/libvirt/images/disk1.qcow2,vm1,demo,21474836480,26843545600,"
                                            + "requested +5G,1,0000000000000000000000000000000000000000000000000000000000000000,"
                                            + "5f1d3c0a9e2b7d4c6a8f0e1b3d5c7a9e2f4b6d8c0a1e3f5b7d9c1e3a5f7b9d1c\r\n"))}),
                    @ApiResponse(responseCode = "400", description = "INVALID_REQUEST: from/to not ISO-8601, from after "
                            + "to, an unknown type, a limit that is not a whole number from 1 to " + Page.MAX_LIMIT
                            + ", or a cursor this list did not give out",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class)))})
    public ResponseEntity<?> audit(@Parameter(description = "Only events of this disk, by its path")
                                   @RequestParam(required = false) String disk,
                                   @Parameter(description = "Events at or after this ISO-8601 instant",
                                           example = "2026-01-31T00:00:00Z")
                                   @RequestParam(required = false) String from,
                                   @Parameter(description = "Events at or before this ISO-8601 instant",
                                           example = "2026-02-01T00:00:00Z")
                                   @RequestParam(required = false) String to,
                                   @Parameter(description = "Only events of this type", schema = @Schema(
                                           implementation = AuditType.class))
                                   @RequestParam(required = false) String type,
                                   @Parameter(description = "Only events of this resize, by its id")
                                   @RequestParam(required = false) String resizeId,
                                   @Parameter(description = ApiDocs.LIMIT + " (JSON only)", schema = @Schema(type = "integer",
                                           minimum = "1", maximum = "" + Page.MAX_LIMIT, defaultValue = "" + Page.DEFAULT_LIMIT))
                                   @RequestParam(required = false) String limit,
                                   @Parameter(description = ApiDocs.CURSOR + " (JSON only)")
                                   @RequestParam(required = false) String cursor,
                                   @Parameter(hidden = true)
                                   @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                   @Parameter(hidden = true) HttpServletRequest request,
                                   @Parameter(hidden = true) HttpServletResponse response) throws IOException {
        Instant fromInstant = instant("from", from);
        Instant toInstant = instant("to", to);
        if (fromInstant != null && toInstant != null && fromInstant.isAfter(toInstant)) {
            throw invalid("from (" + fromInstant + ") is after to (" + toInstant + ")");
        }
        AuditFilter filter = new AuditFilter(ResizeController.blankToNull(disk), fromInstant, toInstant, type(type),
                ResizeController.blankToNull(resizeId));
        int max = Paging.limit(limit);
        Long afterSeq = afterSeq(cursor);
        if (prefersCsv(accept)) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(new MediaType(TEXT_CSV, StandardCharsets.UTF_8).toString());
            writeCsv(filter, response.getOutputStream());
            return null;  // answered
        }
        Page<AuditEvent, Long> page = Page.of(auditService.page(filter, afterSeq, max + 1), max, AuditEvent::seq);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("disk", filter.disk());
        filters.put("from", fromInstant == null ? null : fromInstant.toString());
        filters.put("to", toInstant == null ? null : toInstant.toString());
        filters.put("type", filter.type());
        filters.put("resizeId", filter.resizeId());
        return Paging.answer(request, filters, max, page.items(),
                page.next() == null ? null : Paging.encode(CURSOR_LIST, page.next().toString()));
    }

    private static final String CURSOR_LIST = "audit";

    /** Rows go out as they are read: the writer's buffer is all the export holds, whatever the trail's length. */
    private void writeCsv(AuditFilter filter, OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), CSV_BUFFER);
        writer.write(AuditCsv.headerLine());
        try {
            auditService.forEach(filter, event -> {
                try {
                    writer.write(AuditCsv.line(event));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);  // the client went away: ends the query
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        writer.flush();
    }

    private static final int CSV_BUFFER = 64 * 1024;

    private static Long afterSeq(String cursor) {
        List<String> key = Paging.decode(CURSOR_LIST, 1, cursor);
        if (key == null) {
            return null;
        }
        try {
            return Long.parseLong(key.get(0));
        } catch (NumberFormatException e) {
            throw Paging.badCursor();
        }
    }

    private static String type(String type) {
        if (type == null || type.isBlank()) {
            return null;
        }
        try {
            return AuditType.valueOf(type.strip().toUpperCase(Locale.ROOT)).name();
        } catch (IllegalArgumentException e) {
            throw invalid("type must be one of "
                    + Arrays.stream(AuditType.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    /** CSV only when the client ranks it above JSON; equal (absent header, *}{@code /*) means JSON. */
    static boolean prefersCsv(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        List<MediaType> ranges;
        try {
            ranges = MediaType.parseMediaTypes(accept);
        } catch (IllegalArgumentException e) {
            return false;  // Spring has already matched the header against produces; be lenient here
        }
        return quality(ranges, TEXT_CSV) > quality(ranges, MediaType.APPLICATION_JSON);
    }

    /** RFC 9110 12.5.1: the quality of a type is that of the most specific range that includes it. */
    private static double quality(List<MediaType> ranges, MediaType type) {
        MediaType best = null;
        for (MediaType range : ranges) {
            if (range.includes(type) && (best == null || specificity(range) > specificity(best))) {
                best = range;
            }
        }
        return best == null ? 0 : best.getQualityValue();
    }

    private static int specificity(MediaType range) {
        return (range.isWildcardType() ? 0 : 1) + (range.isWildcardSubtype() ? 0 : 1);
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        // an unencoded '+' in a query string arrives as a space: 10:00:00+02:00 -> "10:00:00 02:00"
        String text = value.strip().replace(' ', '+');
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw invalid(name + " must be an ISO-8601 instant such as 2025-01-31T12:00:00Z, not \"" + value + "\"");
        }
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(RejectionCode.INVALID_REQUEST, message);
    }
}
