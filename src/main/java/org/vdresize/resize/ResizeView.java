package org.vdresize.resize;

import java.time.Instant;
import java.util.List;
import org.vdresize.guest.GuestStatus;
import org.vdresize.vm.VmDiskStatus;

/** A resize as GET /api/resizes/{id} shows it (api-contract.md, "Reading resizes"). */
public record ResizeView(String id, ResizeStatus status, boolean noop, DiskRef disk, Long oldSize,
                         String requestedSize, Long newSize, List<VmOutcome> vms, List<GuestOutcome> guest,
                         String requestedBy, String reason, Instant startedAt, Instant endedAt,
                         List<Step> steps, Error error) {

    public record DiskRef(String path, String pool, String volume, String format, boolean preallocated) {
    }

    public record VmOutcome(String name, String host, String target, VmDiskStatus status, Long capacity) {
    }

    /** @param filesystem null, or what happened to the filesystem on the disk */
    public record GuestOutcome(String vm, GuestStatus status, Long guestSize, Object filesystem) {
    }

    /** One step of the timeline; {@code durationMs} is null while it runs. */
    public record Step(String name, StepState status, Instant startedAt, Instant endedAt, String detail) {

        public Long getDurationMs() {
            return startedAt == null || endedAt == null ? null : java.time.Duration.between(startedAt, endedAt).toMillis();
        }
    }

    public record Error(String code, String message) {
    }
}
