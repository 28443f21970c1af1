package org.vdresize.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.vdresize.common.Page;
import org.vdresize.common.RoleGroups;
import org.vdresize.inventory.DiskView;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.InventoryService;

/** What can be resized, read live from the hypervisors (api-contract.md, "Inventory and audit"). */
@RestController
@RequestMapping(path = "/api", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Inventory", description = "What can be resized, read live from libvirt")
public class DiskController {

    private final InventoryService inventoryService;

    public DiskController(InventoryService inventoryService) {
        this.inventoryService = inventoryService;
    }

    @GetMapping("/disks")
    @Operation(summary = "List disks", description = "Every disk of every VM on every configured host and every volume "
            + "of every active pool, with whether it can be resized and, if not, why (a contract error code), one page "
            + "at a time in the order of their paths. When there are more, the Link header names the next page "
            + "(rel=\"next\"): follow it until there is no Link. Each page is read live: a disk that exists "
            + "throughout is listed exactly once; one added or removed meanwhile is listed if it exists when the page "
            + "that covers its path is read. The disks of a host that is down are listed as they were when it last "
            + "answered, not resizable (UNAVAILABLE); GET /api/hosts tells which hosts answer.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "One page of disks",
                            headers = @Header(name = HttpHeaders.LINK, description = ApiDocs.LINK_NEXT,
                                    schema = @Schema(type = "string")),
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    array = @ArraySchema(schema = @Schema(implementation = DiskView.class)))),
                    @ApiResponse(responseCode = "400", description = "INVALID_REQUEST: a limit that is not a whole "
                            + "number from 1 to " + Page.MAX_LIMIT + ", or a cursor this list did not give out",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class)))})
    public ResponseEntity<List<DiskView>> disks(
            @Parameter(description = ApiDocs.LIMIT, schema = @Schema(type = "integer", minimum = "1",
                    maximum = "" + Page.MAX_LIMIT, defaultValue = "" + Page.DEFAULT_LIMIT))
            @RequestParam(required = false) String limit,
            @Parameter(description = ApiDocs.CURSOR) @RequestParam(required = false) String cursor,
            @Parameter(hidden = true) HttpServletRequest request) {
        int max = Paging.limit(limit);
        List<String> after = Paging.decode(CURSOR_LIST, 1, cursor);
        Page<DiskView, String> page = inventoryService.disks(after == null ? null : after.get(0), max);
        return Paging.answer(request, Map.of(), max, page.items(),
                page.next() == null ? null : Paging.encode(CURSOR_LIST, page.next()));
    }

    private static final String CURSOR_LIST = "disks";

    /**
     * Which configured libvirt hosts answer right now, and which is the same libvirtd as an earlier one.
     * A URI's user part and secrets are for camunda-admin only (api-contract.md, "Hypervisor hosts").
     */
    @GetMapping("/hosts")
    @Operation(summary = "List libvirt hosts", description = "The configured hosts, in configuration order, and "
            + "whether each answers now. The URI as configured for camunda-admin; for the other groups without its "
            + "user part and secret parameter values (keyfile=***). duplicateOf names the host configured before this "
            + "one that is the same libvirtd (same libvirt host UUID): this one is then not available and not used.")
    public List<HostStatus> hosts(@Parameter(hidden = true) Authentication authentication) {
        List<HostStatus> hosts = inventoryService.hosts();
        return isAdmin(authentication) ? hosts : hosts.stream().map(HostStatus::redacted).toList();
    }

    private static boolean isAdmin(Authentication authentication) {
        String admins = RoleGroups.authority(RoleGroups.ADMINS);
        return authentication != null && authentication.getAuthorities().stream()
                .anyMatch(authority -> admins.equals(authority.getAuthority()));
    }
}
