package org.vdresize.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.security.Principal;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import org.vdresize.common.Page;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.watch.WatchFields;
import org.vdresize.watch.WatchKey;
import org.vdresize.watch.WatchService;
import org.vdresize.watch.WatchView;

/** Watches (auto-grow): api-contract.md, "Watches (auto-grow)". */
@RestController
@RequestMapping(path = "/api/watches", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Watches", description = "Grow a disk before its guest filesystem fills up")
public class WatchController {

    private static final String CURSOR_LIST = "watches";

    private final WatchService watches;
    private final ResizeRequestReader reader;

    public WatchController(WatchService watches, ObjectMapper objectMapper) {
        this.watches = watches;
        this.reader = new ResizeRequestReader(objectMapper);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Watch a disk",
            description = "The disk named as for a resize, maxSize (required), optional mountpoint, mode (AUTO or "
                    + "OBSERVE) and interval (ISO-8601, default PT5M). 201 with Location; bad input gets the resize "
                    + "API's problem codes and creates nothing.")
    public ResponseEntity<WatchView> create(HttpServletRequest request, Principal principal) throws IOException {
        WatchView watch = watches.create(WatchFields.read(reader.fields(request)), principal.getName());
        return ResponseEntity.status(HttpStatus.CREATED)
                .header("Location", "/api/watches/" + UriUtils.encodePathSegment(watch.id(), "UTF-8"))
                .body(watch);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A watch, with its last sample and decision and the resizes it started")
    public WatchView get(@PathVariable String id) {
        return watches.find(id).orElseThrow(() -> unknown(id));
    }

    @GetMapping
    @Operation(summary = "The watches, newest first, paged like the other lists")
    public ResponseEntity<List<WatchView>> list(
            @Parameter(description = ApiDocs.LIMIT) @RequestParam(required = false) String limit,
            @Parameter(description = ApiDocs.CURSOR) @RequestParam(required = false) String cursor,
            @Parameter(hidden = true) HttpServletRequest request) {
        int max = Paging.limit(limit);
        Page<WatchView, WatchKey> page = watches.list(watchKey(cursor), max);
        return Paging.answer(request, new LinkedHashMap<>(), max, page.items(), page.next() == null ? null
                : Paging.encode(CURSOR_LIST, page.next().createdAt().toString(), page.next().id()));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Stop a watch: STOPPED, its process ends; its samples and decisions are kept")
    public ResponseEntity<Void> delete(@PathVariable String id, Principal principal) {
        watches.stop(id, principal.getName());
        return ResponseEntity.noContent().build();
    }

    private static WatchKey watchKey(String cursor) {
        List<String> key = Paging.decode(CURSOR_LIST, 2, cursor);
        if (key == null) {
            return null;
        }
        try {
            return new WatchKey(Instant.parse(key.get(0)), key.get(1));
        } catch (DateTimeException e) {
            throw Paging.badCursor();
        }
    }

    private static ResizeRejectedException unknown(String id) {
        return new ResizeRejectedException(RejectionCode.UNKNOWN_WATCH, "no watch " + id);
    }
}
