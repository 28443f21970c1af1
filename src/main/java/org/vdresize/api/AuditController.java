package org.vdresize.api;

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
    public ResponseEntity<?> audit(@RequestParam(required = false) String disk,
                                   @RequestParam(required = false) String from,
                                   @RequestParam(required = false) String to,
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
