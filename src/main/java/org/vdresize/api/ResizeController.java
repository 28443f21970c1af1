package org.vdresize.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
import org.springframework.web.util.UriUtils;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ResizeService;
import org.vdresize.resize.ResizeStatus;
import org.vdresize.resize.ResizeView;

/** Starting and reading resizes (api-contract.md, "Starting a resize", "Reading resizes"). */
@RestController
@RequestMapping(path = "/api/resizes", produces = MediaType.APPLICATION_JSON_VALUE)
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
    public ResponseEntity<ResizeView> start(HttpServletRequest request, Principal principal) throws IOException {
        ResizeRequest resize = requestReader.read(request);
        ResizeView view = resizeService.start(resize, principal.getName());
        String location = request.getContextPath() + "/api/resizes/"
                + UriUtils.encodePathSegment(view.id(), StandardCharsets.UTF_8);
        if (view.status() != null && view.status().isFinal()) {
            return ResponseEntity.ok().header(HttpHeaders.CONTENT_LOCATION, location).body(view);
        }
        return ResponseEntity.accepted().header(HttpHeaders.LOCATION, location).body(view);
    }

    @GetMapping("/{id}")
    public ResizeView get(@PathVariable String id) {
        return resizeService.find(id).orElseThrow(
                () -> new ResizeRejectedException(RejectionCode.UNKNOWN_RESIZE, "there is no resize " + id));
    }

    @GetMapping
    public List<ResizeView> list(@RequestParam(required = false) String status,
                                 @RequestParam(required = false) String disk) {
        return resizeService.list(status(status), blankToNull(disk));
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
