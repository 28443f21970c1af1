package org.vdresize.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditService;
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
     * for {@code Accept: *}{@code /*}, which must give JSON.
     */
    @GetMapping(path = "/api/audit", produces = {MediaType.APPLICATION_JSON_VALUE, "text/csv"})
    @Operation(summary = "Read the audit trail", description = "One event per business fact, oldest first: requests, "
            + "rejections, approvals, storage and VM steps, guest outcomes, operator decisions, the end of each resize. "
            + "JSON, or CSV with Accept: text/csv.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The events", content = {
                            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    array = @ArraySchema(schema = @Schema(implementation = AuditEvent.class))),
                            @Content(mediaType = "text/csv", schema = @Schema(type = "string"),
                                    examples = @ExampleObject(name = "csv", value = AuditCsv.HEADER + "\r\n"
                                            + "2026-01-31T12:00:00.123Z,RESIZE_REQUESTED,8f0c2a4e-ea6b-11f0-9d1e-0242ac110002,"
                                            + "/var/lib/libvirt/images/disk1.qcow2,vm1,demo,21474836480,26843545600,"
                                            + "requested +5G\r\n"))}),
                    @ApiResponse(responseCode = "400", description = "INVALID_REQUEST: from/to not ISO-8601, or from after to",
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
                                   @Parameter(hidden = true)
                                   @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        Instant fromInstant = instant("from", from);
        Instant toInstant = instant("to", to);
        if (fromInstant != null && toInstant != null && fromInstant.isAfter(toInstant)) {
            throw invalid("from (" + fromInstant + ") is after to (" + toInstant + ")");
        }
        List<AuditEvent> events = auditService.query(ResizeController.blankToNull(disk), fromInstant, toInstant);
        if (prefersCsv(accept)) {
            return ResponseEntity.ok()
                    .contentType(new MediaType(TEXT_CSV, StandardCharsets.UTF_8))
                    .body(AuditCsv.write(events));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(events);
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
