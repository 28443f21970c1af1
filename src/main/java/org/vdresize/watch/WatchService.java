package org.vdresize.watch;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.common.Page;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ResizeRules;
import org.vdresize.resize.ValidatedResize;

/** Creates, reads and stops watches. */
@Service
public class WatchService {

    private static final Logger log = LoggerFactory.getLogger(WatchService.class);

    private final ResizeRules rules;
    private final WatchRepository watches;
    private final WatchProcessPort process;
    private final AuditService audit;
    private final Clock clock;
    private final TransactionTemplate tx;

    public WatchService(ResizeRules rules, WatchRepository watches, WatchProcessPort process, AuditService audit,
                        Clock clock, PlatformTransactionManager transactionManager) {
        this.rules = rules;
        this.watches = watches;
        this.process = process;
        this.audit = audit;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactionManager);
    }

    /**
     * Checks the disk as a resize would (it must exist, be resizable and be used by a VM whose guest
     * can be asked) and starts the watch's process. Nothing is stored when a check fails.
     *
     * @throws ResizeRejectedException with the resize API's codes
     */
    public WatchView create(WatchRequest request, String user) {
        // "+0" asks for nothing: the rules name the disk and check it without any size rule
        ValidatedResize disk = rules.validate(new ResizeRequest(request.vm(), request.target(), request.pool(),
                request.volume(), request.path(), "+0", null, null, null));
        if (request.maxSize() < disk.oldSize()) {
            throw new ResizeRejectedException(RejectionCode.INVALID_SIZE, "maxSize " + request.maxSize()
                    + " B is below the disk's current size " + disk.oldSize() + " B");
        }
        ValidatedResize.VmUse vm = disk.vms().stream().filter(u -> u.state().isActive()).findFirst()
                .or(() -> disk.vms().stream().findFirst())
                .orElseThrow(() -> new ResizeRejectedException(RejectionCode.UNSUPPORTED_DISK, "no VM uses "
                        + disk.diskPath() + ": a watch samples the filesystem through a guest's agent")
                        );
        Instant now = clock.instant();
        Watch watch = new Watch(UUID.randomUUID().toString(), request.vm(), request.target(), request.pool(),
                request.volume(), request.path(), disk.diskPath(), vm.name(), vm.uuid(), request.mountpoint(),
                request.mode(), request.maxSize(), request.interval(), WatchStatus.WATCHING, user, now, null, null, null);
        tx.executeWithoutResult(status -> {
            watches.insert(watch);
            watches.setProcessInstance(watch.id(), process.start(watch.id(), watch.interval(), user));
            audit.record(AuditType.WATCH_CREATED, null, watch.diskPath(), vm.name(), user, disk.oldSize(), null,
                    "watch " + watch.id() + ": " + watch.mode() + ", maxSize " + watch.maxSize() + " B, every "
                            + watch.interval() + (watch.mountpoint() == null ? "" : ", " + watch.mountpoint()));
        });
        log.info("[{}] watch {} created by {}: {} up to {} B", watch.diskPath(), watch.id(), user, watch.mode(),
                watch.maxSize());
        return find(watch.id()).orElseThrow();
    }

    public Optional<WatchView> find(String id) {
        return watches.find(id).map(this::view);
    }

    public Page<WatchView, WatchKey> list(WatchKey after, int limit) {
        return Page.of(watches.page(after, limit + 1), limit, w -> new WatchKey(w.createdAt(), w.id())).map(this::view);
    }

    /**
     * Stops the watch: STOPPED, its process ended. A watch that has stopped already stays as it was.
     *
     * @throws ResizeRejectedException UNKNOWN_WATCH
     */
    public void stop(String id, String user) {
        Watch watch = watches.find(id).orElseThrow(() -> unknown(id));
        tx.executeWithoutResult(status -> {
            if (!watches.stop(id, user, clock.instant())) {
                return;
            }
            if (watch.processInstanceId() != null) {
                process.stop(watch.processInstanceId(), "watch deleted by " + user, user);
            }
            audit.record(AuditType.WATCH_STOPPED, null, watch.diskPath(), watch.vmName(), user, null, null,
                    "watch " + id + " stopped");
        });
        log.info("[{}] watch {} stopped by {}", watch.diskPath(), id, user);
    }

    static ResizeRejectedException unknown(String id) {
        return new ResizeRejectedException(RejectionCode.UNKNOWN_WATCH, "no watch " + id);
    }

    private WatchView view(Watch w) {
        WatchView.Sample sample = watches.lastOkSample(w.id())
                .map(s -> new WatchView.Sample(s.at(), s.mountpoint(), s.usedBytes(), s.totalBytes(),
                        s.totalBytes() == 0 ? 100.0 : Math.round(1000.0 * s.usedBytes() / s.totalBytes()) / 10.0))
                .orElse(null);
        WatchView.Decision decision = watches.lastDecision(w.id())
                .map(d -> new WatchView.Decision(d.at(), d.action(), d.growBy(), d.reason(), d.resizeId(), d.refusedCode()))
                .orElse(null);
        List<String> resizes = watches.resizeIds(w.id());
        return new WatchView(w.id(), w.diskPath(), w.vmName(), w.target(), w.mountpoint(), w.mode(), w.maxSize(),
                w.interval().toString(), w.status(), w.createdBy(), w.createdAt(), w.stoppedBy(), w.stoppedAt(), sample,
                decision, resizes);
    }
}
