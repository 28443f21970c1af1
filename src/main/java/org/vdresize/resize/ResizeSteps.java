package org.vdresize.resize;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.common.OperationFailedException;
import org.vdresize.guest.GuestNotifyService;
import org.vdresize.guest.GuestOutcome;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.lock.DiskLockService;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.resize.ResizeRepository.VmRow;
import org.vdresize.storage.StorageJob;
import org.vdresize.storage.StorageJobService;
import org.vdresize.storage.StorageJobStatus;
import org.vdresize.storage.StorageResizeMode;
import org.vdresize.vm.VmDiskOutcome;
import org.vdresize.vm.VmDiskStatus;
import org.vdresize.vm.VmResizeService;

/**
 * The business logic of each step of the resize process. The process delegates call exactly one
 * method each; every method writes its rows and audit events in the caller's transaction, so they
 * commit together with the engine's state for that step.
 */
@Service
public class ResizeSteps {

    private static final Logger log = LoggerFactory.getLogger(ResizeSteps.class);

    private final ResizeRules rules;
    private final ResizeRepository resizes;
    private final DiskLockService locks;
    private final StorageJobService storageJobs;
    private final VmResizeService vmResize;
    private final InventoryPort inventory;
    private final AuditService audit;
    private final GuestNotifyService guests;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final PrevalidatedRequests prevalidated;
    /** nodes' clocks may differ a little: a validation this much older than another resize's end is redone too */
    private static final java.time.Duration STALE_MARGIN = java.time.Duration.ofSeconds(1);

    public ResizeSteps(ResizeRules rules, ResizeRepository resizes, DiskLockService locks, StorageJobService storageJobs,
                       VmResizeService vmResize, InventoryPort inventory, AuditService audit, GuestNotifyService guests,
                       Clock clock, ApplicationEventPublisher events, PrevalidatedRequests prevalidated) {
        this.events = events;
        this.prevalidated = prevalidated;
        this.guests = guests;
        this.rules = rules;
        this.resizes = resizes;
        this.locks = locks;
        this.storageJobs = storageJobs;
        this.vmResize = vmResize;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Checks every rule and records the accepted resize with the VMs that use the disk. A REST start
     * checked them a moment before: the token names that result ({@link PrevalidatedRequests}), and
     * the rules are not asked twice; without one (engine-rest, Tasklist) they are checked here. The
     * disk lock, taken next in the same transaction, settles a race with another request either way.
     *
     * @throws ResizeRejectedException the request breaks a rule; nothing was written
     */
    public ValidatedResize accept(StepRef step, ResizeRequest request, String user, String validationToken) {
        ValidatedResize v = prevalidated.take(validationToken)
                // another resize of the disk that ended after that validation began changed what it saw
                // (the disk lock had been free for it): validate again, now, as a start without token does
                .filter(p -> !resizes.endedSince(p.resize().diskPath(), p.startedAt().minus(STALE_MARGIN)))
                .map(PrevalidatedRequests.Prevalidated::resize)
                .orElseGet(() -> rules.validate(request));
        String id = step.resizeId();
        resizes.insert(new ResizeRow(id, ResizeStatus.RUNNING, v.noop(), v.diskPath(), v.host(), v.pool(), v.volume(),
                v.format(), v.preallocated(), v.oldSize(), v.requestedSize(), v.newSize(),
                request.notifyGuest() == null || request.notifyGuest(), Boolean.TRUE.equals(request.growFilesystem()),
                user, request.reason(), clock.instant(), null, null, null));
        for (ValidatedResize.VmUse vm : v.vms()) {
            resizes.insertVm(new VmRow(id, vm.uuid(), vm.name(), vm.host(), vm.target(),
                    vm.state().isActive() ? VmDiskStatus.PENDING : VmDiskStatus.NOT_RUNNING, null, null));
        }
        audit.record(AuditType.RESIZE_REQUESTED, id, v.diskPath(), vmNames(v), user, v.oldSize(), v.newSize(),
                "requested " + v.requestedSize() + (request.reason() == null ? "" : "; reason: " + request.reason()));
        resizes.stepDetail(step.activityInstanceId(), id, v.noop()
                ? v.diskPath() + " already has " + v.newSize() + " B"
                : v.diskPath() + ": " + v.oldSize() + " B -> " + v.newSize() + " B (" + v.format()
                + (v.preallocated() ? ", preallocated" : "") + ", used by " + v.vms().size() + " VM(s))");
        log.info("[{}] resize {} accepted: {} -> {} B", v.diskPath(), id, v.oldSize(), v.newSize());
        return v;
    }

    /** Ends a request that broke a rule: REJECTED, with the rule's code. */
    public void reject(StepRef step, ResizeRequest request, String user, ErrorCode code, String message) {
        String id = step.resizeId();
        Optional<ResizeRow> existing = resizes.find(id);
        String disk = existing.map(ResizeRow::diskPath).orElse(describeDisk(request));
        Instant now = clock.instant();
        if (existing.isPresent()) {
            end(existing.get(), ResizeStatus.REJECTED, now, code, message);
        } else {
            resizes.insert(new ResizeRow(id, ResizeStatus.REJECTED, false, disk, null, request.pool(), request.volume(),
                    null, false, null, request.size() == null ? null : String.valueOf(request.size()), null,
                    request.notifyGuest() == null || request.notifyGuest(), Boolean.TRUE.equals(request.growFilesystem()),
                    user, truncate(request.reason(), ResizeRequest.MAX_REASON_LENGTH), now, now, code.name(), message));
            events.publishEvent(new ResizeEnded(id, ResizeStatus.REJECTED, false, now, now));
        }
        audit.record(AuditType.RESIZE_REJECTED, id, disk, request.vm(), user, null, null, code + ": " + message);
        log.info("[{}] resize {} rejected: {} {}", disk, id, code, message);
    }

    public void completeNoop(StepRef step) {
        ResizeRow r = row(step);
        end(r, ResizeStatus.COMPLETED, clock.instant(), null, null);
        audit.record(AuditType.RESIZE_COMPLETED, r.id(), r.diskPath(), null, r.requestedBy(), r.oldSize(), r.newSize(),
                "nothing to do: the disk already has the requested size");
    }

    /** @throws ResizeRejectedException DISK_BUSY when another live resize holds the disk */
    public void lock(StepRef step) {
        ResizeRow r = row(step);
        if (!locks.tryAcquire(r.diskPath(), r.id())) {
            throw new ResizeRejectedException(RejectionCode.DISK_BUSY, "another resize of " + r.diskPath() + " is in progress");
        }
        resizes.stepDetail(step.activityInstanceId(), r.id(), "locked " + r.diskPath());
    }

    public StorageJob extendStorage(StepRef step) {
        ResizeRow r = row(step);
        StorageResizeMode mode = storageMode(r);
        StorageJob job = storageJobs.start(new StorageJobService.Target(r.id(), r.diskPath(), r.host(), r.pool(),
                r.volume(), mode, r.oldSize(), r.newSize()));
        resizes.stepDetail(step.activityInstanceId(), r.id(), switch (job.mode()) {
            case QEMU_GROWS -> "no storage change: a running QEMU holds the " + r.format() + " image and grows it in the VM step";
            case RESIZE -> "storage job " + job.id() + " grows " + r.pool() + "/" + r.volume() + " to " + r.newSize() + " B";
            case ALLOCATE -> "storage job " + job.id() + " grows and preallocates " + r.pool() + "/" + r.volume() + " to " + r.newSize() + " B";
        });
        return job;
    }

    public StorageJobStatus checkStorage(StepRef step, String jobId) {
        ResizeRow r = row(step);
        StorageJobStatus status = storageJobs.check(jobId);
        resizes.stepDetail(step.activityInstanceId(), r.id(), status.outcome() + ": " + status.detail());
        if (status.outcome() == StorageJobStatus.Outcome.DONE
                && storageJobs.forResize(r.id()).map(j -> j.mode() != StorageResizeMode.QEMU_GROWS).orElse(false)) {
            audit.record(AuditType.STORAGE_EXTENDED, r.id(), r.diskPath(), null, r.requestedBy(), r.oldSize(), r.newSize(),
                    status.detail());
        }
        return status;
    }

    /** Compensation of the storage step: back to the exact old capacity. */
    public void undoStorage(StepRef step) {
        ResizeRow r = row(step);
        int seen = vmsThatMaySeeTheNewSize(step);
        if (seen > 0) {
            // the last guard before a shrink: never take space away that a guest may already use
            throw new OperationFailedException(seen + " VM(s) may already see the new size of " + r.diskPath()
                    + "; refusing to shrink it back. Resolve the resize by hand.");
        }
        String what = storageJobs.undo(r.id());
        resizes.stepDetail(step.activityInstanceId(), r.id(), what);
        audit.record(AuditType.STORAGE_ROLLED_BACK, r.id(), r.diskPath(), null, r.requestedBy(), r.newSize(), r.oldSize(), what);
    }

    /**
     * @throws OperationFailedException the VM refused the resize for good (recorded as FAILED first)
     */
    public VmDiskOutcome resizeVm(StepRef step, String vmUuid) {
        ResizeRow r = row(step);
        VmDiskOutcome outcome;
        try {
            outcome = vmResize.resize(vmUuid, r.diskPath(), r.newSize());
        } catch (OperationFailedException e) {
            resizes.updateVm(r.id(), vmUuid, null, VmDiskStatus.FAILED, null, e.getMessage());
            resizes.stepDetail(step.activityInstanceId(), r.id(), "failed: " + e.getMessage());
            throw e;
        }
        resizes.updateVm(r.id(), vmUuid, outcome.host(), outcome.status(), outcome.capacity(), outcome.detail());
        resizes.stepDetail(step.activityInstanceId(), r.id(), outcome.detail());
        audit.record(outcome.guestSawNewSize() ? AuditType.VM_DISK_RESIZED : AuditType.VM_SKIPPED, r.id(), r.diskPath(),
                outcome.vmName() != null ? outcome.vmName() : vmUuid, r.requestedBy(), r.oldSize(), outcome.capacity(),
                outcome.detail());
        return outcome;
    }

    /**
     * How many VMs may have seen the new size: those recorded as resized, and every VM that runs
     * now and either reports more than the old size or cannot be asked. Decides roll back versus
     * roll forward, so it errs towards "seen": shrinking under a guest that saw the space loses data.
     */
    public int vmsThatMaySeeTheNewSize(StepRef step) {
        ResizeRow r = row(step);
        int seen = 0;
        for (VmRow vm : resizes.vms(r.id())) {
            if (vm.status().sawNewSize() || vmReportsMoreThan(vm, r.diskPath(), r.oldSize())) {
                seen++;
            }
        }
        return seen;
    }

    private boolean vmReportsMoreThan(VmRow row, String diskPath, long oldSize) {
        try {
            return vmResize.capacityNow(row.vmUuid(), diskPath).map(capacity -> capacity > oldSize).orElse(false);
        } catch (RuntimeException unreachable) {
            log.warn("[{}] cannot ask VM {} what it sees ({}); counting it as having seen the new size", diskPath,
                    row.vmName(), unreachable.getMessage());
            return true;
        }
    }

    /** Tells the guest of one VM, when asked to and the VM took the new size. Never fails the resize. */
    public void notifyGuest(StepRef step, String vmUuid) {
        ResizeRow r = row(step);
        Optional<VmRow> vm = resizes.vm(r.id(), vmUuid);
        if (!r.notifyGuest()) {
            resizes.stepDetail(step.activityInstanceId(), r.id(), "not asked to tell the guest");
            return;
        }
        if (vm.isEmpty() || !vm.get().status().sawNewSize()) {
            resizes.stepDetail(step.activityInstanceId(), r.id(), "VM " + vm.map(VmRow::vmName).orElse(vmUuid)
                    + " did not take the new size in a running QEMU: its guest sees it at the next start");
            return;
        }
        GuestOutcome outcome = guests.notify(vmUuid, r.diskPath(), r.newSize(), r.growFilesystem());
        String name = vm.get().vmName();
        resizes.saveGuest(r.id(), vmUuid, name, outcome);
        resizes.stepDetail(step.activityInstanceId(), r.id(), outcome.status() + ": " + outcome.detail());
        audit.record(outcome.failed() ? AuditType.GUEST_NOTIFY_FAILED : AuditType.GUEST_NOTIFIED, r.id(), r.diskPath(),
                name, r.requestedBy(), r.oldSize(), outcome.guestSize(), outcome.status() + ": " + outcome.detail());
        if (outcome.filesystemGrown()) {
            audit.record(AuditType.FILESYSTEM_GROWN, r.id(), r.diskPath(), name, r.requestedBy(),
                    outcome.filesystem().sizeBefore(), outcome.filesystem().sizeAfter(),
                    outcome.filesystem().type() + " on " + outcome.filesystem().device() + " at " + outcome.filesystem().mountpoint());
        }
    }

    /**
     * The guest outcome of a VM whose domain has no guest agent channel (found at validation, so it
     * has no guest step): NO_AGENT, recorded once the VM took the new size, as the guest step would.
     */
    public void guestWithoutAgent(StepRef step, String vmUuid) {
        ResizeRow r = row(step);
        if (!r.notifyGuest()) {
            return;
        }
        String name = resizes.vm(r.id(), vmUuid).map(VmRow::vmName).orElse(vmUuid);
        GuestOutcome outcome = GuestOutcome.noAgentChannel(name);
        resizes.saveGuest(r.id(), vmUuid, name, outcome);
        audit.record(AuditType.GUEST_NOTIFY_FAILED, r.id(), r.diskPath(), name, r.requestedBy(), r.oldSize(), null,
                outcome.status() + ": " + outcome.detail());
    }

    public void approvalRequested(StepRef step) {
        ResizeRow r = row(step);
        updateStatus(r, ResizeStatus.WAITING_FOR_APPROVAL, null, null, null);
        resizes.stepDetail(step.activityInstanceId(), r.id(), "growth of " + (r.newSize() - r.oldSize())
                + " B is above the approval threshold: waiting for disk-approvers");
    }

    public void approved(StepRef step, String approver, String comment) {
        ResizeRow r = row(step);
        updateStatus(r, ResizeStatus.RUNNING, null, null, null);
        String detail = "approved by " + approver + (comment == null || comment.isBlank() ? "" : ": " + comment);
        resizes.stepDetail(step.activityInstanceId(), r.id(), detail);
        audit.record(AuditType.RESIZE_APPROVED, r.id(), r.diskPath(), null, approver, r.oldSize(), r.newSize(), detail);
    }

    public void rejectedByApprover(StepRef step, String approver, String comment) {
        ResizeRow r = row(step);
        String message = "rejected by " + approver + (comment == null || comment.isBlank() ? "" : ": " + comment);
        end(r, ResizeStatus.REJECTED, clock.instant(), FailureCode.NOT_APPROVED, message);
        resizes.stepDetail(step.activityInstanceId(), r.id(), message);
        audit.record(AuditType.RESIZE_REJECTED, r.id(), r.diskPath(), null, approver, r.oldSize(), r.newSize(),
                FailureCode.NOT_APPROVED + ": " + message);
    }

    /** The operator's choice at the needs-attention task, for the audit trail. */
    public void operatorDecided(StepRef step, String operator, String decision, String comment) {
        ResizeRow r = row(step);
        updateStatus(r, ResizeStatus.RUNNING, null, null, null);
        audit.record(AuditType.OPERATOR_DECISION, r.id(), r.diskPath(), null, operator, r.oldSize(), r.newSize(),
                decision + (comment == null || comment.isBlank() ? "" : ": " + comment));
    }

    public void needsAttention(StepRef step, ErrorCode code, String message) {
        ResizeRow r = row(step);
        updateStatus(r, ResizeStatus.NEEDS_ATTENTION, null, code, message);
        audit.record(AuditType.RESIZE_NEEDS_ATTENTION, r.id(), r.diskPath(), null, r.requestedBy(), r.oldSize(), r.newSize(),
                code + ": " + message);
        log.warn("[{}] resize {} needs attention: {} {}", r.diskPath(), r.id(), code, message);
    }

    public void complete(StepRef step) {
        ResizeRow r = row(step);
        List<VmRow> vms = resizes.vms(r.id());
        long notResized = vms.stream().filter(vm -> vm.status().missedNewSize()).count();
        String detail = notResized == 0
                ? "grew " + r.diskPath() + " from " + r.oldSize() + " B to " + r.newSize() + " B"
                : "finished with a warning: " + notResized + " VM(s) did not take the new size; restart them to see it";
        end(r, ResizeStatus.COMPLETED, clock.instant(), null, null);
        resizes.stepDetail(step.activityInstanceId(), r.id(), detail);
        audit.record(AuditType.RESIZE_COMPLETED, r.id(), r.diskPath(), null, r.requestedBy(), r.oldSize(), r.newSize(), detail);
        log.info("[{}] resize {} completed: {}", r.diskPath(), r.id(), detail);
    }

    public void rollBack(StepRef step, ErrorCode code, String message) {
        ResizeRow r = row(step);
        end(r, ResizeStatus.ROLLED_BACK, clock.instant(), code, message);
        resizes.vms(r.id()).stream().filter(vm -> vm.status() == VmDiskStatus.PENDING)
                .forEach(vm -> resizes.updateVm(r.id(), vm.vmUuid(), null, VmDiskStatus.UNCHANGED, null, "the resize was rolled back before this VM's step"));
        resizes.stepDetail(step.activityInstanceId(), r.id(), code + ": " + message);
        audit.record(AuditType.RESIZE_ROLLED_BACK, r.id(), r.diskPath(), null, r.requestedBy(), r.newSize(), r.oldSize(),
                code + ": " + message);
        log.warn("[{}] resize {} rolled back: {} {}", r.diskPath(), r.id(), code, message);
    }

    public void releaseLock(StepRef step) {
        ResizeRow r = row(step);
        locks.release(r.diskPath(), r.id());
        resizes.stepDetail(step.activityInstanceId(), r.id(), "unlocked " + r.diskPath());
    }

    /** Writes a final status and tells the listeners (metrics), which hear of it only if this transaction commits. */
    private void end(ResizeRow r, ResizeStatus status, Instant endedAt, ErrorCode code, String message) {
        updateStatus(r, status, endedAt, code, message);
        events.publishEvent(new ResizeEnded(r.id(), status, r.noop(), r.startedAt(), endedAt));
    }

    /** Every status write goes through here: readers waiting for a change hear of it after the commit. */
    private void updateStatus(ResizeRow r, ResizeStatus status, Instant endedAt, ErrorCode code, String message) {
        resizes.updateStatus(r.id(), status, endedAt, code, message);
        events.publishEvent(new ResizeStatusChanged(r.id(), status));
    }

    /** Decided when the step runs, not at request time: a VM may have started or stopped since. */
    private StorageResizeMode storageMode(ResizeRow r) {
        // a volume in a pool that is not qcow2 is grown by libvirt whoever holds it: no need to ask the VMs
        if (r.pool() == null) {
            if (!heldByQemu(r)) {
                throw new OperationFailedException(r.diskPath() + " is in no storage pool and no running VM holds it any more");
            }
            return StorageResizeMode.QEMU_GROWS;
        }
        if ("qcow2".equals(r.format()) && heldByQemu(r)) {
            return StorageResizeMode.QEMU_GROWS;
        }
        return r.preallocated() ? StorageResizeMode.ALLOCATE : StorageResizeMode.RESIZE;
    }

    /**
     * Whether a VM recorded at validation runs now with the disk. Reads those VMs only, live, not
     * every domain of every host; a VM that attached the disk after validation is not one the VM
     * step visits either.
     */
    private boolean heldByQemu(ResizeRow r) {
        return resizes.vms(r.id()).stream().anyMatch(row -> inventory.findVm(row.vmUuid())
                .filter(vm -> vm.state().isActive() && vm.diskByPath(r.diskPath()).isPresent()).isPresent());
    }

    private ResizeRow row(StepRef step) {
        return resizes.find(step.resizeId())
                .orElseThrow(() -> new IllegalStateException("resize " + step.resizeId() + " has no record"));
    }

    private static String vmNames(ValidatedResize v) {
        return v.vms().isEmpty() ? null : String.join(",", v.vms().stream().map(ValidatedResize.VmUse::name).toList());
    }

    private static String describeDisk(ResizeRequest r) {
        if (r.path() != null) {
            return r.path();
        }
        if (r.pool() != null || r.volume() != null) {
            return r.pool() + "/" + r.volume();
        }
        return r.vm() + ":" + r.target();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
