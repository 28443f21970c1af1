package org.vdresize.api;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.util.UriUtils;
import org.vdresize.common.Page;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeKey;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ResizeService;
import org.vdresize.resize.ResizeStatus;
import org.vdresize.resize.ResizeView;

/** Starting and reading resizes (api-contract.md, "Starting a resize", "Reading resizes"). */
@RestController
@RequestMapping(path = "/api/resizes", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Resizes", description = "Start a resize and follow it")
public class ResizeController {

    private final ResizeService resizeService;
    private final ResizeRequestReader requestReader;

    public ResizeController(ResizeService resizeService, ObjectMapper objectMapper) {
        this.resizeService = resizeService;
        this.requestReader = new ResizeRequestReader(objectMapper);
    }

    /**
     * 202 with Location while the process runs; 200 when the disk already had the size (noop), so a
     * retried request is harmless. The body is read by hand (see {@link ResizeRequestReader}).
     */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Start a resize",
            description = "Grows a disk while the VMs that use it keep running. The request is validated at once: "
                    + "a rejected request changes nothing. Follow the resize with GET /api/resizes/{id}.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    description = "The disk, named one way (vm + target, pool + volume, or path), and the size",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = ApiDocs.ResizeRequestDoc.class),
                            examples = {
                                    @ExampleObject(name = "vm and target", value = ApiDocs.BY_VM,
                                            summary = "a disk of a VM, by its libvirt target device"),
                                    @ExampleObject(name = "pool and volume", value = ApiDocs.BY_VOLUME,
                                            summary = "a storage volume (attached or floating), grown by 5 GiB"),
                                    @ExampleObject(name = "path", value = ApiDocs.BY_PATH,
                                            summary = "a disk by its source path, to 1.5 TiB"),
                                    @ExampleObject(name = "size in bytes", value = ApiDocs.IN_BYTES,
                                            summary = "the size as a JSON integer (bytes)"),
                                    @ExampleObject(name = "grow the filesystem too", value = ApiDocs.WITH_FILESYSTEM,
                                            summary = "grow by 256 MiB and the guest's ext4/xfs filesystem with it")})),
            responses = {
                    @ApiResponse(responseCode = "202", description = "The process has started; the body is the resize "
                            + "(RUNNING, or WAITING_FOR_APPROVAL soon after for a large growth)",
                            headers = @Header(name = "Location", description = "/api/resizes/{id}",
                                    schema = @Schema(type = "string")),
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    schema = @Schema(implementation = ResizeView.class))),
                    @ApiResponse(responseCode = "200", description = "The disk already has this size: "
                            + "COMPLETED with noop true (a retried request is harmless)",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    schema = @Schema(implementation = ResizeView.class))),
                    @ApiResponse(responseCode = "400", description = "INVALID_REQUEST (malformed JSON, unknown or missing "
                            + "fields, the disk named in more than one way) or INVALID_SIZE",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class), examples = {
                                    @ExampleObject(name = "INVALID_REQUEST", value = ApiDocs.INVALID_REQUEST),
                                    @ExampleObject(name = "INVALID_SIZE", value = ApiDocs.INVALID_SIZE)})),
                    @ApiResponse(responseCode = "401", description = "UNAUTHENTICATED: no or wrong HTTP Basic credentials",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                                    examples = @ExampleObject(name = "UNAUTHENTICATED", value = ApiDocs.UNAUTHENTICATED))),
                    @ApiResponse(responseCode = "404", description = "UNKNOWN_VM, UNKNOWN_DISK or UNKNOWN_POOL",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                                    examples = @ExampleObject(name = "UNKNOWN_VM", value = ApiDocs.UNKNOWN_VM))),
                    @ApiResponse(responseCode = "409", description = "SHRINK_NOT_SUPPORTED, DISK_BUSY, VM_STATE, "
                            + "READ_ONLY_DISK, UNSUPPORTED_DISK, INSUFFICIENT_SPACE or SIZE_LIMIT",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class), examples = {
                                    @ExampleObject(name = "DISK_BUSY", value = ApiDocs.DISK_BUSY),
                                    @ExampleObject(name = "DISK_BUSY (block job)", value = ApiDocs.DISK_BUSY_BLOCK_JOB),
                                    @ExampleObject(name = "SHRINK_NOT_SUPPORTED", value = ApiDocs.SHRINK)})),
                    @ApiResponse(responseCode = "413", description = "INVALID_REQUEST: the body is larger than 64 KiB",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class))),
                    @ApiResponse(responseCode = "415", description = "INVALID_REQUEST: the body is not application/json",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class))),
                    @ApiResponse(responseCode = "503", description = "UNAVAILABLE: a libvirt host does not answer; try again later",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                                    examples = @ExampleObject(name = "UNAVAILABLE", value = ApiDocs.UNAVAILABLE)))})
    public ResponseEntity<ResizeView> start(@Parameter(hidden = true) HttpServletRequest request,
                                            @Parameter(hidden = true) Principal principal) throws IOException {
        ResizeRequest resize = requestReader.read(request);
        ResizeView view = resizeService.start(resize, principal.getName());
        String location = request.getContextPath() + "/api/resizes/"
                + UriUtils.encodePathSegment(view.id(), StandardCharsets.UTF_8);
        // a no-op is done at once (200); any other start is 202, even when it finished before this read
        if (view.noop() && view.status() != null && view.status().isFinal()) {
            return ResponseEntity.ok().header(HttpHeaders.CONTENT_LOCATION, location).body(view);
        }
        return ResponseEntity.accepted().header(HttpHeaders.LOCATION, location).body(view);
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a resize", description = "Status, sizes, the VMs and what their guests saw, the steps "
            + "of the process with what each did, and the error when something failed.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The resize",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    schema = @Schema(implementation = ResizeView.class))),
                    @ApiResponse(responseCode = "404", description = "UNKNOWN_RESIZE",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                                    examples = @ExampleObject(name = "UNKNOWN_RESIZE", value = ApiDocs.UNKNOWN_RESIZE)))})
    public ResizeView get(@Parameter(description = "The resize's id (its process instance id)") @PathVariable String id) {
        return resizeService.find(id).orElseThrow(
                () -> new ResizeRejectedException(RejectionCode.UNKNOWN_RESIZE, "there is no resize " + id));
    }

    /** The longest a GET may wait for a change. */
    static final int MAX_WAIT_SECONDS = 60;

    @GetMapping(value = "/{id}", params = "wait")
    // springdoc shows this and get() as one operation (same path and method): this one describes both
    @Operation(summary = "Read a resize (with wait: once its status changes)", description = "Status, sizes, the VMs "
            + "and what their guests saw, the steps of the process with what each did, and the error when something "
            + "failed. With `wait`, the answer comes as soon as the resize's status differs from what it was when the "
            + "request arrived (e.g. RUNNING became COMPLETED), or after `wait` seconds with the resize as it is then; "
            + "at once for a resize that has ended. Instead of polling: one request per change, answered right after "
            + "the change commits.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The resize",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    schema = @Schema(implementation = ResizeView.class))),
                    @ApiResponse(responseCode = "400", description = "INVALID_REQUEST: wait is not a whole number of "
                            + "seconds from 0 to " + MAX_WAIT_SECONDS,
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class))),
                    @ApiResponse(responseCode = "404", description = "UNKNOWN_RESIZE",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                                    examples = @ExampleObject(name = "UNKNOWN_RESIZE", value = ApiDocs.UNKNOWN_RESIZE)))})
    public DeferredResult<ResizeView> getWhenChanged(
            @Parameter(description = "The resize's id (its process instance id)") @PathVariable String id,
            @Parameter(description = "Optional: the longest to wait for a change, in whole seconds (0 to "
                    + MAX_WAIT_SECONDS + ")", required = false, example = "30")
            // required = false only for the OpenAPI description: this method is mapped only when wait is given
            @RequestParam(required = false) String wait) {
        Duration duration = waitDuration(wait);
        // the request's thread is free meanwhile; the container's own timeout is only a backstop
        DeferredResult<ResizeView> result = new DeferredResult<>(duration.toMillis() + 15_000);
        CompletableFuture<Optional<ResizeView>> found = resizeService.findWhenChanged(id, duration);
        found.whenComplete((view, failure) -> {
            if (failure != null) {
                result.setErrorResult(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
            } else if (view.isEmpty()) {
                result.setErrorResult(new ResizeRejectedException(RejectionCode.UNKNOWN_RESIZE, "there is no resize " + id));
            } else {
                result.setResult(view.get());
            }
        });
        result.onCompletion(() -> found.cancel(false));
        return result;
    }

    private static Duration waitDuration(String wait) {
        try {
            int seconds = Integer.parseInt(String.valueOf(wait).strip());
            if (seconds >= 0 && seconds <= MAX_WAIT_SECONDS) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ResizeRejectedException(RejectionCode.INVALID_REQUEST,
                "wait must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS + ", not " + wait);
    }

    @GetMapping
    @Operation(summary = "List resizes", description = "Newest first, one page at a time (at most `limit`); every "
            + "filter is optional. When there are more, the Link header names the next page (rel=\"next\"), with the "
            + "same filters and a cursor: follow it until there is no Link. Paging by cursor stays right while "
            + "resizes start meanwhile: no resize twice, none skipped; one started after the first page was read "
            + "comes before it (start again from the first page to see it).",
            responses = {
                    @ApiResponse(responseCode = "200", description = "One page of resizes",
                            headers = @Header(name = HttpHeaders.LINK, description = ApiDocs.LINK_NEXT,
                                    schema = @Schema(type = "string", example = ApiDocs.LINK_NEXT_EXAMPLE)),
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    array = @ArraySchema(schema = @Schema(implementation = ResizeView.class)))),
                    @ApiResponse(responseCode = "400", description = "INVALID_REQUEST: an unknown status, a limit "
                            + "that is not a whole number from 1 to " + Page.MAX_LIMIT + ", or a cursor this list did "
                            + "not give out",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ApiDocs.ProblemDoc.class)))})
    public ResponseEntity<List<ResizeView>> list(
            @Parameter(description = "Only resizes in this status", schema = @Schema(implementation = ResizeStatus.class))
            @RequestParam(required = false) String status,
            @Parameter(description = "Only resizes of this disk, by its path (disk.path)",
                    example = "/var/lib/libvirt/images/disk1.qcow2")
            @RequestParam(required = false) String disk,
            @Parameter(description = "Only resizes of a disk that this VM used, by the VM's name or UUID", example = "vm1")
            @RequestParam(required = false) String vm,
            @Parameter(description = ApiDocs.LIMIT, schema = @Schema(type = "integer", minimum = "1",
                    maximum = "" + Page.MAX_LIMIT, defaultValue = "" + Page.DEFAULT_LIMIT))
            @RequestParam(required = false) String limit,
            @Parameter(description = ApiDocs.CURSOR) @RequestParam(required = false) String cursor,
            @Parameter(hidden = true) HttpServletRequest request) {
        ResizeStatus statusFilter = status(status);
        int max = Paging.limit(limit);
        ResizeKey after = resizeKey(cursor);
        Page<ResizeView, ResizeKey> page = resizeService.list(statusFilter, blankToNull(disk), blankToNull(vm), after, max);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("status", statusFilter == null ? null : statusFilter.name());
        filters.put("disk", blankToNull(disk));
        filters.put("vm", blankToNull(vm));
        return Paging.answer(request, filters, max, page.items(),
                page.next() == null ? null : Paging.encode(CURSOR_LIST, page.next().startedAt().toString(), page.next().id()));
    }

    private static final String CURSOR_LIST = "resizes";

    private static ResizeKey resizeKey(String cursor) {
        List<String> key = Paging.decode(CURSOR_LIST, 2, cursor);
        if (key == null) {
            return null;
        }
        try {
            return new ResizeKey(Instant.parse(key.get(0)), key.get(1));
        } catch (DateTimeException e) {
            throw Paging.badCursor();
        }
    }

    private static ResizeStatus status(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return ResizeStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ResizeRejectedException(RejectionCode.INVALID_REQUEST, "status must be one of "
                    + Arrays.stream(ResizeStatus.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
