package org.vdresize.watch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.common.OperationFailedException;
import org.vdresize.guest.GuestAgentUnavailableException;
import org.vdresize.guest.GuestDiskUsage;
import org.vdresize.guest.GuestFilesystem;
import org.vdresize.guest.GuestFilesystemService;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.Vm;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ResizeService;
import org.vdresize.resize.ResizeStatus;
import org.vdresize.resize.ResizeView;
import org.vdresize.vm.HypervisorPort;

/**
 * One turn of a watch's loop (bpmn/disk-watch.bpmn): sample the guest, record the policy's
 * decision, start the grow through the resize service (so every rule of a resize applies), and
 * wait until the guest shows the new size. What the guest did not report is recorded as such,
 * never guessed.
 */
@Service
public class WatchCycle {

    private static final Logger log = LoggerFactory.getLogger(WatchCycle.class);
    private static final long MIB = 1L << 20;

    private final WatchRepository watches;
    private final GuestFilesystemService guest;
    private final InventoryPort inventory;
    private final HypervisorPort hypervisor;
    private final ResizeService resizes;
    private final AuditService audit;
    private final WatchMetrics metrics;
    private final Clock clock;

    public WatchCycle(WatchRepository watches, GuestFilesystemService guest, InventoryPort inventory,
                      HypervisorPort hypervisor, ResizeService resizes, AuditService audit, WatchMetrics metrics,
                      Clock clock) {
        this.watches = watches;
        this.guest = guest;
        this.inventory = inventory;
        this.hypervisor = hypervisor;
        this.resizes = resizes;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
    }

    public Optional<Watch> watch(String watchId) {
        return watches.find(watchId);
    }

    /**
     * Whether this process instance acts for the watch: the watch exists, has not stopped, and this
     * is the instance its creation started (an instance started any other way does nothing).
     */
    public boolean isActive(String watchId, String processInstanceId) {
        return watches.find(watchId).filter(w -> w.status() != WatchStatus.STOPPED)
                .filter(w -> processInstanceId.equals(w.processInstanceId())).isPresent();
    }

    /**
     * Asks the guest how full the watched filesystems are and records the sample. Empty when there
     * is nothing to decide on: no agent (status NO_AGENT), or no watched filesystem on the disk, or
     * a guest that cannot be read (an ALERT decision).
     */
    public Optional<PolicyInputs> sample(String watchId) {
        Watch w = watches.find(watchId).orElseThrow(() -> WatchService.unknown(watchId));
        Instant now = clock.instant();
        GuestDiskUsage usage;
        try {
            usage = guest.usage(w.vmUuid(), w.diskPath());
        } catch (GuestAgentUnavailableException e) {
            watches.insertSample(w.id(), now, "NO_AGENT", null, null, null, null, e.getMessage());
            watches.setStatus(w.id(), WatchStatus.NO_AGENT);
            log.info("[{}] watch {}: no guest agent in {}: {}", w.diskPath(), w.id(), w.vmName(), e.getMessage());
            return Optional.empty();
        } catch (OperationFailedException e) {
            watches.insertSample(w.id(), now, "FAILED", null, null, null, null, e.getMessage());
            alertOnce(w, "the guest cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        List<GuestFilesystem> watched = usage.filesystems().stream()
                .filter(fs -> w.mountpoint() == null || w.mountpoint().equals(fs.mountpoint())).toList();
        Optional<GuestFilesystem> fullest = watched.stream().max(Comparator.comparingDouble(GuestFilesystem::usedPercent));
        if (fullest.isEmpty()) {
            watches.insertSample(w.id(), now, "NO_FILESYSTEM", null, null, null, usage.guestSize(),
                    "nothing mounted on /dev/" + usage.device());
            alertOnce(w, (w.mountpoint() == null ? "no filesystem" : w.mountpoint() + " is not") + " mounted on /dev/"
                    + usage.device() + " in " + w.vmName());
            return Optional.empty();
        }
        GuestFilesystem fs = fullest.get();
        long diskSize = capacity(w).orElse(usage.guestSize());
        watches.insertSample(w.id(), now, "OK", fs.mountpoint(), fs.usedBytes(), fs.totalBytes(), diskSize, null);
        watches.setStatus(w.id(), statusAfterSample(w));
        metrics.usedRatio(w.id(), fs.totalBytes() == 0 ? 1.0 : (double) fs.usedBytes() / fs.totalBytes());
        List<FillProjection.Point> points = watches.okSamplesSince(w.id(), now.minus(FillProjection.WINDOW)).stream()
                .filter(s -> fs.mountpoint().equals(s.mountpoint()))
                .map(s -> new FillProjection.Point(s.at(), s.usedBytes(), s.totalBytes())).toList();
        return Optional.of(new PolicyInputs(round1(fs.usedPercent()), fs.freeBytes(), diskSize, w.maxSize(),
                watches.growthsSince(w.id(), now.minus(Duration.ofHours(24))), round1(FillProjection.hoursToFull(points)),
                fs.mountpoint()));
    }

    /**
     * Records what the policy decided on these inputs. A growth is bounded by maxSize here too, so
     * that an edited table cannot grow past it; OBSERVE records a GROW and never acts on it.
     *
     * @return true when the watch is to grow the disk now
     */
    public boolean decide(String watchId, PolicyInputs in, String policyAction, Long policyGrowBy) {
        Watch w = watches.find(watchId).orElseThrow(() -> WatchService.unknown(watchId));
        WatchAction action;
        String reason;
        Long growBy = null;
        try {
            action = WatchAction.valueOf(String.valueOf(policyAction).strip().toUpperCase(Locale.ROOT));
            reason = describe(in);
        } catch (IllegalArgumentException e) {
            action = WatchAction.ALERT;
            reason = describe(in) + "; the policy answered \"" + policyAction + "\", which is no action";
        }
        if (action == WatchAction.GROW) {
            long target = Math.min(in.maxSize(), in.diskSize() + Math.max(0, policyGrowBy == null ? 0 : policyGrowBy));
            if (target - in.diskSize() < MIB) {
                action = WatchAction.AT_LIMIT;
            } else {
                growBy = target - in.diskSize();
                reason = (w.mode() == WatchMode.OBSERVE ? "observe (not grown): " : "autogrow: ") + reason;
            }
        }
        if (action == WatchAction.AT_LIMIT) {
            reason = describe(in) + "; the disk is at maxSize " + in.maxSize() + " B";
        } else if (action == WatchAction.ALERT && in.growthsLast24h() > 0) {
            reason = reason + "; " + in.growthsLast24h() + " growths in the last 24 h";
        }
        watches.insertDecision(w.id(), clock.instant(), action, growBy, reason, in);
        watches.setStatus(w.id(), action == WatchAction.AT_LIMIT ? WatchStatus.AT_LIMIT : WatchStatus.WATCHING);
        metrics.decision(w.id(), action);
        if (action != WatchAction.WAIT) {
            audit.record(AuditType.WATCH_DECISION, null, w.diskPath(), w.vmName(), w.requester(), in.diskSize(),
                    growBy == null ? null : in.diskSize() + growBy, action + (growBy == null ? "" : " by " + growBy + " B")
                            + ": " + reason + " [" + inputs(in) + "]");
            log.info("[{}] watch {}: {} {}", w.diskPath(), w.id(), action, reason);
        }
        return action == WatchAction.GROW && w.mode() == WatchMode.AUTO;
    }

    /**
     * Starts the resize the last decision asked for, as {@code watch:<id>}, through the resize
     * service: validation, the disk lock, approval and four eyes, rollback and the guest step apply
     * as to any resize. The target is absolute, so a retried start is the no-op answer.
     *
     * @return false when the resize was refused (recorded, with an ALERT decision)
     */
    public boolean grow(String watchId) {
        Watch w = watches.find(watchId).orElseThrow(() -> WatchService.unknown(watchId));
        WatchRepository.DecisionRow d = watches.lastDecision(watchId)
                .filter(last -> last.action() == WatchAction.GROW && last.growBy() != null && last.resizeId() == null
                        && last.refusedCode() == null)
                .orElse(null);
        if (d == null || w.mode() != WatchMode.AUTO || w.status() == WatchStatus.STOPPED) {
            return false; // nothing decided to grow (the step reached some other way)
        }
        long target = d.diskSize() + d.growBy();
        ResizeRequest request = new ResizeRequest(null, null, null, null, w.diskPath(), target, true, true,
                abbreviate(d.reason(), 500));
        try {
            ResizeView started = resizes.start(request, w.requester());
            watches.setDecisionOutcome(d.id(), started.id(), null);
            log.info("[{}] watch {} started resize {} to {} B", w.diskPath(), w.id(), started.id(), target);
            return true;
        } catch (ResizeRejectedException e) {
            watches.setDecisionOutcome(d.id(), null, e.code().name());
            String reason = "the resize to " + target + " B was refused: " + e.code() + ": " + e.getMessage();
            watches.insertDecision(w.id(), clock.instant(), WatchAction.ALERT, null, reason, null);
            metrics.decision(w.id(), WatchAction.ALERT);
            audit.record(AuditType.WATCH_DECISION, null, w.diskPath(), w.vmName(), w.requester(), d.diskSize(), target,
                    "ALERT: " + reason);
            log.warn("[{}] watch {}: {}", w.diskPath(), w.id(), reason);
            return false;
        }
    }

    /**
     * Whether the cooldown after the last grow is over: its resize has ended and, when it completed,
     * the guest shows the new size (or has no agent to ask). A resize that waits for approval or for
     * an operator keeps the watch cooling down.
     */
    public boolean cooldownOver(String watchId) {
        Watch w = watches.find(watchId).orElseThrow(() -> WatchService.unknown(watchId));
        Optional<String> resizeId = watches.lastDecisionWithResize(watchId).map(WatchRepository.DecisionRow::resizeId);
        Optional<ResizeView> resize = resizeId.flatMap(resizes::find);
        if (resize.isEmpty()) {
            return true;
        }
        ResizeView r = resize.get();
        if (!r.status().isFinal()) {
            return false;
        }
        if (r.status() != ResizeStatus.COMPLETED) {
            String reason = "resize " + r.id() + " ended " + r.status()
                    + (r.error() == null ? "" : ": " + r.error().code() + ": " + r.error().message());
            watches.insertDecision(w.id(), clock.instant(), WatchAction.ALERT, null, reason, null);
            metrics.decision(w.id(), WatchAction.ALERT);
            audit.record(AuditType.WATCH_DECISION, r.id(), w.diskPath(), w.vmName(), w.requester(), r.oldSize(),
                    r.newSize(), "ALERT: " + reason);
            return true;
        }
        try {
            return r.newSize() == null || guest.usage(w.vmUuid(), w.diskPath()).guestSize() >= r.newSize();
        } catch (GuestAgentUnavailableException e) {
            return true; // nothing to wait for: the next sample records NO_AGENT
        }
    }

    private WatchStatus statusAfterSample(Watch w) {
        return w.status() == WatchStatus.NO_AGENT ? WatchStatus.WATCHING : w.status();
    }

    private Optional<Long> capacity(Watch w) {
        Optional<Vm> vm = inventory.findVm(w.vmUuid());
        return vm.flatMap(v -> v.diskByPath(w.diskPath())
                .map(d -> hypervisor.blockInfo(v.host(), v.uuid(), d.target()).capacity()));
    }

    /** An ALERT about the guest, recorded once while it lasts (not at every sample). */
    private void alertOnce(Watch w, String reason) {
        boolean repeated = watches.lastDecision(w.id())
                .filter(d -> d.action() == WatchAction.ALERT && reason.equals(d.reason())).isPresent();
        watches.setStatus(w.id(), WatchStatus.WATCHING);
        if (repeated) {
            return;
        }
        watches.insertDecision(w.id(), clock.instant(), WatchAction.ALERT, null, reason, null);
        metrics.decision(w.id(), WatchAction.ALERT);
        audit.record(AuditType.WATCH_DECISION, null, w.diskPath(), w.vmName(), w.requester(), null, null, "ALERT: " + reason);
        log.warn("[{}] watch {}: {}", w.diskPath(), w.id(), reason);
    }

    static String describe(PolicyInputs in) {
        String text = in.mountpoint() + " " + Math.round(in.usedPercent()) + " % used";
        if (in.hoursToFull() >= 0) {
            text += in.hoursToFull() < 1 ? ", full in less than 1 h" : ", full in about " + Math.round(in.hoursToFull()) + " h";
        }
        return text;
    }

    private static String inputs(PolicyInputs in) {
        return "usedPercent=" + in.usedPercent() + ", freeBytes=" + in.freeBytes() + ", diskSize=" + in.diskSize()
                + ", maxSize=" + in.maxSize() + ", growthsLast24h=" + in.growthsLast24h() + ", hoursToFull="
                + in.hoursToFull();
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
