package org.vdresize.resize;


import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.common.Page;
import org.vdresize.resize.ResizeRepository.ResizeRow;

/** Starts resizes (as process instances) and reads them back. */
@Service
public class ResizeService {

    /** The bean name of {@link #viewReaders} (config.ExecutorsConfig). */
    public static final String VIEW_READERS = "resizeViewReaders";

    private final ResizeRules rules;
    private final ResizeRepository resizes;
    private final ResizeProcessPort process;
    private final AuditService audit;
    private final TransactionTemplate tx;
    private final PrevalidatedRequests prevalidated;
    private final ResizeStatusWatch watch;
    /** reads the views that waiting requests answer with, off the thread that committed the change */
    private final Executor viewReaders;

    public ResizeService(ResizeRules rules, ResizeRepository resizes, ResizeProcessPort process, AuditService audit,
                         PrevalidatedRequests prevalidated, ResizeStatusWatch watch,
                         PlatformTransactionManager transactionManager, @Qualifier(VIEW_READERS) Executor viewReaders) {
        this.watch = watch;
        this.viewReaders = viewReaders;
        this.rules = rules;
        this.prevalidated = prevalidated;
        this.resizes = resizes;
        this.process = process;
        this.audit = audit;
        this.tx = new TransactionTemplate(transactionManager);
    }

    /**
     * Validates the request and starts the process. Returns the resize: RUNNING (202), or COMPLETED
     * with noop=true when the disk already has the requested size (200).
     *
     * @throws ResizeRejectedException when the request breaks a rule; nothing is changed then
     */
    public ResizeView start(ResizeRequest request, String user) {
        try {
            // checked here first so that a bad request starts nothing at all; outside the transaction, so
            // that no database connection waits for libvirt meanwhile (200 requests at once used to take
            // every connection of the pool), and only once: the process's validation step takes this result
            Instant validationStarted = Instant.now();
            ValidatedResize validated = rules.validate(request);
            String token = prevalidated.put(validated, validationStarted);
            String id;
            try {
                id = tx.execute(status -> {
                    String started = process.start(request, validated.diskPath(), user, token);
                    ResizeRow row = resizes.find(started)
                            .orElseThrow(() -> new IllegalStateException("resize " + started + " was not recorded"));
                    if (row.status() == ResizeStatus.REJECTED) {
                        // lost a race inside the process (e.g. the disk lock): undo the start, answer like any rejection
                        throw new ResizeRejectedException(RejectionCode.valueOf(row.errorCode()), row.errorMessage());
                    }
                    return started;
                });
            } finally {
                prevalidated.discard(token);
            }
            // the whole view after the commit: the first job waits for that commit, not for these reads
            return find(id).orElseThrow(() -> new IllegalStateException("resize " + id + " was not recorded"));
        } catch (ResizeRejectedException rejected) {
            String disk = rejected.diskPath() != null ? rejected.diskPath() : describe(request);
            tx.executeWithoutResult(status -> audit.record(AuditType.RESIZE_REJECTED, null, disk, request.vm(),
                    user, null, null, rejected.code() + ": " + rejected.getMessage()));
            throw rejected;
        }
    }

    public Optional<ResizeView> find(String id) {
        return resizes.find(id).map(this::view);
    }

    /**
     * The resize once its status is no longer what it is now, or after {@code wait}, whichever comes
     * first; at once when its status is final (it never changes again) or the wait is zero. Empty
     * when there is no such resize. Nothing blocks meanwhile: the view is read on a small pool of
     * its own ({@link #VIEW_READERS}) when the change or the end of the wait comes.
     */
    public CompletableFuture<Optional<ResizeView>> findWhenChanged(String id, Duration wait) {
        Optional<ResizeRow> row = resizes.find(id);
        if (row.isEmpty() || row.get().status().isFinal() || wait.isZero() || wait.isNegative()) {
            return CompletableFuture.completedFuture(row.map(this::view));
        }
        return watch.change(id, row.get().status())
                .completeOnTimeout(row.get().status(), wait.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(status -> find(id), viewReaders);
    }

    /**
     * One page of resizes, newest first, after {@code after} (null: from the newest); see
     * {@link ResizeRepository#page}. Every filter may be null.
     */
    public Page<ResizeView, ResizeKey> list(ResizeStatus status, String diskPath, String vm, ResizeKey after, int limit) {
        return Page.of(resizes.page(status, diskPath, vm, after, limit + 1), limit, ResizeRepository::key).map(this::view);
    }

    private ResizeView view(ResizeRow r) {
        List<ResizeView.VmOutcome> vms = resizes.vms(r.id()).stream()
                .map(vm -> new ResizeView.VmOutcome(vm.vmName(), vm.host(), vm.target(), vm.status(), vm.capacity()))
                .toList();
        ResizeView.Error error = r.errorCode() == null ? null : new ResizeView.Error(r.errorCode(), r.errorMessage());
        return new ResizeView(r.id(), r.status(), r.noop(),
                new ResizeView.DiskRef(r.diskPath(), r.pool(), r.volume(), r.format(), r.preallocated()),
                r.oldSize(), r.requestedSize(), r.newSize(), vms, resizes.guests(r.id()), r.requestedBy(), r.reason(),
                r.startedAt(), r.endedAt(), steps(r), error);
    }

    /** From vdresize's own tables (the engine's history may have been cleaned up), plus attempts waiting for a retry. */
    private List<ResizeView.Step> steps(ResizeRow r) {
        Map<String, String> details = resizes.stepDetails(r.id());
        List<ResizeView.Step> steps = new ArrayList<>();
        for (ResizeRepository.StepRow s : resizes.steps(r.id())) {
            StepState status = s.endedAt() == null ? StepState.RUNNING : s.canceled() ? StepState.FAILED : StepState.DONE;
            steps.add(new ResizeView.Step(s.name(), status, s.startedAt(), s.endedAt(), details.get(s.activityInstanceId())));
        }
        steps.addAll(process.failedAttempts(r.id()));
        return steps;
    }

    private static String describe(ResizeRequest r) {
        if (r.path() != null) {
            return r.path();
        }
        return r.pool() != null ? r.pool() + "/" + r.volume() : r.vm() + ":" + r.target();
    }
}
