package org.vdresize.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditVerification;

/** Whether the audit trail is as the application wrote it (api-contract.md, "Audit trail integrity"). */
@RestController
@Tag(name = "Audit", description = "The business audit trail")
public class AuditVerifyController {

    private final AuditService auditService;

    public AuditVerifyController(AuditService auditService) {
        this.auditService = auditService;
    }

    @GetMapping(path = "/api/audit/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Verify the audit trail's hash chain", description = "Reads the whole trail in order and "
            + "recomputes every entry's hash: INTACT, or BROKEN at the first entry that was changed, removed or inserted "
            + "in the database behind the application's back. lastHash is worth writing down: a trail rewritten later, "
            + "hashes and all, no longer ends with it. For auditors and administrators.",
            responses = @ApiResponse(responseCode = "200", description = "The result", content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Result.class),
                    examples = {
                            @ExampleObject(name = "intact", value = "{\"status\":\"INTACT\",\"entries\":1234,\"lastSeq\":1234,"
                                    + "\"lastHash\":\"5f1d...\"}"),
                            @ExampleObject(name = "broken", value = "{\"status\":\"BROKEN\",\"entries\":41,"
                                    + "\"firstBrokenEntry\":{\"seq\":42,\"id\":57,\"problem\":\"CHANGED\",\"detail\":"
                                    + "\"entry 42 (id 57) does not match its hash: its fields or its hash were changed\"}}")})))
    public Result verify() {
        AuditVerification v = auditService.verify();
        return new Result(v.status().name(), v.entries(), v.lastSeq(), v.lastHash(), v.firstBrokenEntry() == null ? null
                : new Broken(v.firstBrokenEntry().seq(), v.firstBrokenEntry().id(), v.firstBrokenEntry().problem().name(),
                v.firstBrokenEntry().detail()));
    }

    /** The answer: absent fields are left out (an intact trail has no first broken entry). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(@Schema(allowableValues = {"INTACT", "BROKEN"}) String status,
                  @Schema(description = "Intact entries (when BROKEN: before the first broken one)") long entries,
                  @Schema(description = "INTACT: the seq of the last entry") Long lastSeq,
                  @Schema(description = "INTACT: the hash of the last entry") String lastHash,
                  @Schema(description = "BROKEN: where") Broken firstBrokenEntry) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Broken(@Schema(description = "The entry's place in the chain; for REMOVED the first missing one") long seq,
                  @Schema(description = "The database id of the row (absent for REMOVED)") Long id,
                  @Schema(allowableValues = {"CHANGED", "REMOVED", "INSERTED"}) String problem,
                  String detail) {
    }
}
