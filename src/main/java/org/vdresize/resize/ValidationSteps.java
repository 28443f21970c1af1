package org.vdresize.resize;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditType;
import org.vdresize.lock.DiskLockService;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.resize.ResizeRepository.VmRow;
import org.vdresize.vm.VmDiskStatus;

/**
 * The diagram's first part: validate the request (Task_ValidateRequest), record a rejection
 * (Task_RecordRejection) and take the disk lock (Task_LockDisk). What each step did goes to the
 * {@link StepRecorder}, in the caller's transaction.
 */
@Service
public class ValidationSteps {

    private static final Logger log = LoggerFactory.getLogger(ValidationSteps.class);
    /** nodes' clocks may differ a little: a validation this much older than another resize's end is redone too */
    private static final Duration STALE_MARGIN = Duration.ofSeconds(1);

    private final ResizeRules rules;
    private final PrevalidatedRequests prevalidated;
    private final ResizeRepository resizes;
    private final DiskLockService locks;
    private final StepRecorder recorder;

    public ValidationSteps(ResizeRules rules, PrevalidatedRequests prevalidated, ResizeRepository resizes,
                           DiskLockService locks, StepRecorder recorder) {
        this.rules = rules;
        this.prevalidated = prevalidated;
        this.resizes = resizes;
        this.locks = locks;
        this.recorder = recorder;
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
        ResizeRow row = new ResizeRow(id, ResizeStatus.RUNNING, v.noop(), v.diskPath(), v.host(), v.pool(), v.volume(),
                v.format(), v.preallocated(), v.oldSize(), v.requestedSize(), v.newSize(),
                request.notifyGuest() == null || request.notifyGuest(), Boolean.TRUE.equals(request.growFilesystem()),
                user, request.reason(), recorder.now(), null, null, null);
        resizes.insert(row);
        for (ValidatedResize.VmUse vm : v.vms()) {
            resizes.insertVm(new VmRow(id, vm.uuid(), vm.name(), vm.host(), vm.target(),
                    vm.state().isActive() ? VmDiskStatus.PENDING : VmDiskStatus.NOT_RUNNING, null, null));
        }
        recorder.record(Happened.of(step, row)
                .detail(v.noop()
                        ? v.diskPath() + " already has " + v.newSize() + " B"
                        : v.diskPath() + ": " + v.oldSize() + " B -> " + v.newSize() + " B (" + v.format()
                        + (v.preallocated() ? ", preallocated" : "") + ", used by " + v.vms().size() + " VM(s))")
                .audited(AuditType.RESIZE_REQUESTED, "requested " + v.requestedSize()
                        + (request.reason() == null ? "" : "; reason: " + request.reason()))
                .vm(vmNames(v)));
        log.info("[{}] resize {} accepted: {} -> {} B", v.diskPath(), id, v.oldSize(), v.newSize());
        return v;
    }

    /** Ends a request that broke a rule: REJECTED, with the rule's code. */
    public void reject(StepRef step, ResizeRequest request, String user, ErrorCode code, String message) {
        String id = step.resizeId();
        ResizeRow row = resizes.find(id).orElseGet(() -> {
            // rejected before it was recorded: recorded now, with what the request named
            Instant now = recorder.now();
            ResizeRow rejected = new ResizeRow(id, ResizeStatus.REJECTED, false, describeDisk(request), null,
                    request.pool(), request.volume(), null, false, null,
                    request.size() == null ? null : String.valueOf(request.size()), null,
                    request.notifyGuest() == null || request.notifyGuest(), Boolean.TRUE.equals(request.growFilesystem()),
                    user, truncate(request.reason(), ResizeRequest.MAX_REASON_LENGTH), now, now, code.name(), message);
            resizes.insert(rejected);
            return rejected;
        });
        recorder.record(Happened.of(step, row)
                .status(ResizeStatus.REJECTED, code, message)
                .audited(AuditType.RESIZE_REJECTED, code + ": " + message)
                .vm(request.vm()).by(user).sizes(null, null));
        log.info("[{}] resize {} rejected: {} {}", row.diskPath(), id, code, message);
    }

    /** @throws ResizeRejectedException DISK_BUSY when another live resize holds the disk */
    public void lock(StepRef step) {
        ResizeRow r = resizes.of(step);
        if (!locks.tryAcquire(r.diskPath(), r.id())) {
            throw new ResizeRejectedException(RejectionCode.DISK_BUSY, "another resize of " + r.diskPath() + " is in progress");
        }
        recorder.record(Happened.of(step, r).detail("locked " + r.diskPath()));
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
