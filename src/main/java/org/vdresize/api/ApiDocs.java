package org.vdresize.api;

import io.swagger.v3.oas.annotations.media.Schema;
import org.vdresize.resize.ResizeRequest;

/**
 * Documentation-only shapes for the OpenAPI description (/v3/api-docs, /swagger-ui.html): the
 * body of POST /api/resizes, which {@link ResizeRequestReader} reads by hand, and the problem
 * responses. Nothing here is used at run time; docs/api-contract.md stays the contract.
 */
final class ApiDocs {

    private ApiDocs() {
    }

    static final String LIMIT = "The most entries on this page: a whole number from 1 to 1000, 100 when absent";
    static final String CURSOR = "Where the page starts: leave out for the first page; afterwards as the Link header of "
            + "the previous page gives it (opaque; one list's cursor is refused by another)";
    static final String LINK_NEXT = "RFC 8288, only when there are more entries: the next page, as a path with the same "
            + "filters, limit and a cursor (a relative reference, resolved against the request's URL)";
    static final String LINK_NEXT_EXAMPLE = "</api/resizes?status=COMPLETED&limit=100&cursor=cmVzaXplcwAyMDI2LTAxLTMxVDEy"
            + "OjAwOjAwWgA4ZjBjMmE0ZQ>; rel=\"next\"";

    static final String SIZE_FORMS = "The new size: bytes (a JSON integer such as 21474836480) or a string: a decimal "
            + "number with an optional unit, and an optional leading + meaning \"grow by\". Units: B; K/KiB, M/MiB, G/GiB, "
            + "T/TiB (powers of 1024, like qemu-img and virsh); KB, MB, GB, TB (powers of 1000). Case and spaces are "
            + "tolerated. Examples: \"20G\", \"20GiB\", \"+512M\", \"1.5T\". Rounded up to a whole MiB; never smaller "
            + "than the disk (SHRINK_NOT_SUPPORTED). A growth that rounds to no whole MiB (\"+0\", \"+1B\", less than "
            + "half a MiB) asks for the current size: the no-op answer, 200 with noop true.";

    @Schema(name = "ResizeRequest", description = "Name the disk in exactly one of three ways: vm + target, "
            + "pool + volume, or path; then the size. Unknown fields are refused (INVALID_REQUEST).")
    record ResizeRequestDoc(
            @Schema(description = "Way 1: the name or UUID of a VM that uses the disk (with target)", example = "vm1",
                    maxLength = 255)
            String vm,
            @Schema(description = "Way 1: the disk's target device in that VM (libvirt <target dev>)", example = "vdb",
                    maxLength = 64)
            String target,
            @Schema(description = "Way 2: the libvirt storage pool (with volume)", example = "default", maxLength = 255)
            String pool,
            @Schema(description = "Way 2: the volume in that pool; the disk may be attached or floating",
                    example = "disk1.qcow2", maxLength = 1024)
            String volume,
            @Schema(description = "Way 3: the disk's source path", example = "/var/lib/libvirt/images/disk1.qcow2",
                    maxLength = 4000)
            String path,
            @Schema(description = SIZE_FORMS, requiredMode = Schema.RequiredMode.REQUIRED,
                    oneOf = {String.class, Long.class}, example = "+5G")
            Object size,
            @Schema(description = "Tell the guest through the QEMU guest agent and check that it sees the new size",
                    defaultValue = "true")
            Boolean notifyGuest,
            @Schema(description = "Also grow the guest's ext2/3/4 or xfs filesystem on the disk online "
                    + "(needs the guest agent)", defaultValue = "false")
            Boolean growFilesystem,
            @Schema(description = "Why; goes into the audit trail", maxLength = ResizeRequest.MAX_REASON_LENGTH, example = "database grows faster than planned")
            String reason) {
    }

    @Schema(name = "Problem", description = "An error (RFC 9457, application/problem+json) with a machine-readable code")
    record ProblemDoc(
            @Schema(example = "about:blank") String type,
            @Schema(example = "Conflict") String title,
            @Schema(example = "409") int status,
            @Schema(example = "another resize of /var/lib/libvirt/images/disk1.qcow2 is in progress") String detail,
            @Schema(example = "/api/resizes") String instance,
            @Schema(description = "INVALID_REQUEST, INVALID_SIZE, UNKNOWN_VM, UNKNOWN_DISK, UNKNOWN_POOL, UNKNOWN_RESIZE, "
                    + "SHRINK_NOT_SUPPORTED, DISK_BUSY, VM_STATE, READ_ONLY_DISK, UNSUPPORTED_DISK, INSUFFICIENT_SPACE, "
                    + "SIZE_LIMIT; and for what HTTP refuses: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, "
                    + "NOT_ACCEPTABLE, UNAVAILABLE, INTERNAL_ERROR", example = "DISK_BUSY") String code,
            @Schema(description = "Only on a 500: the id the server log carries with the details") String errorId) {
    }

    // ---- examples of the request body ----------------------------------------------------------

    static final String BY_VM = """
            {"vm": "vm1", "target": "vdb", "size": "20G"}""";
    static final String BY_VOLUME = """
            {"pool": "default", "volume": "disk1.qcow2", "size": "+5G", "reason": "more room for the logs"}""";
    static final String BY_PATH = """
            {"path": "/var/lib/libvirt/images/disk1.qcow2", "size": "1.5T"}""";
    static final String IN_BYTES = """
            {"vm": "vm1", "target": "vdb", "size": 21474836480}""";
    static final String WITH_FILESYSTEM = """
            {"vm": "vm1", "target": "vdb", "size": "+256M", "growFilesystem": true}""";

    // ---- examples of problems ------------------------------------------------------------------

    static final String INVALID_REQUEST = """
            {"type": "about:blank", "title": "Bad Request", "status": 400, "code": "INVALID_REQUEST",
             "detail": "name the disk in exactly one way: vm and target, pool and volume, or path", "instance": "/api/resizes"}""";
    static final String INVALID_SIZE = """
            {"type": "about:blank", "title": "Bad Request", "status": 400, "code": "INVALID_SIZE",
             "detail": "size \\"-5G\\" is negative; sizes only grow", "instance": "/api/resizes"}""";
    static final String UNAUTHENTICATED = """
            {"type": "about:blank", "title": "Unauthorized", "status": 401, "code": "UNAUTHENTICATED",
             "detail": "authentication required: HTTP Basic with a Camunda user", "instance": "/api/resizes"}""";
    static final String UNKNOWN_VM = """
            {"type": "about:blank", "title": "Not Found", "status": 404, "code": "UNKNOWN_VM",
             "detail": "no VM named vm9 on any available host", "instance": "/api/resizes"}""";
    static final String UNKNOWN_RESIZE = """
            {"type": "about:blank", "title": "Not Found", "status": 404, "code": "UNKNOWN_RESIZE",
             "detail": "there is no resize 42", "instance": "/api/resizes/42"}""";
    static final String DISK_BUSY = """
            {"type": "about:blank", "title": "Conflict", "status": 409, "code": "DISK_BUSY",
             "detail": "resize 8f0c2a4e-ea6b-11f0-9d1e-0242ac110002 of /var/lib/libvirt/images/disk1.qcow2 is in progress", "instance": "/api/resizes"}""";
    static final String DISK_BUSY_BLOCK_JOB = """
            {"type": "about:blank", "title": "Conflict", "status": 409, "code": "DISK_BUSY",
             "detail": "a block copy job (42 % done) runs on vdb of VM web1; QEMU refuses a resize until it ends: wait for it, or abort it (virsh blockjob web1 vdb --abort)", "instance": "/api/resizes"}""";
    static final String SHRINK = """
            {"type": "about:blank", "title": "Conflict", "status": 409, "code": "SHRINK_NOT_SUPPORTED",
             "detail": "the target 10737418240 B is smaller than the current capacity 21474836480 B; shrinking could destroy guest data", "instance": "/api/resizes"}""";
    static final String UNAVAILABLE = """
            {"type": "about:blank", "title": "Service Unavailable", "status": 503, "code": "UNAVAILABLE",
             "detail": "libvirt host local is not reachable right now; try again later", "instance": "/api/resizes"}""";
}
