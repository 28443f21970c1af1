package org.vdresize.resize;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Lets a reader wait until a resize's status changes instead of polling it ({@code GET
 * /api/resizes/{id}?wait=...}). A change committed on this node wakes the waiters at once (after
 * the commit); one committed by another node of a cluster is found by a look at the database every
 * {@link #RECHECK_MS} ms while anybody waits.
 */
@Component
public class ResizeStatusWatch {

    private static final Logger log = LoggerFactory.getLogger(ResizeStatusWatch.class);
    static final long RECHECK_MS = 250;
    /** The bean name of the scheduler of the rechecks (config.ExecutorsConfig). */
    public static final String SCHEDULER = "resizeStatusWatchScheduler";

    private record Waiter(ResizeStatus seen, CompletableFuture<ResizeStatus> change) {
    }

    private final ResizeRepository resizes;
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final TaskScheduler scheduler;
    private ScheduledFuture<?> rechecks;

    public ResizeStatusWatch(ResizeRepository resizes, @Qualifier(SCHEDULER) TaskScheduler scheduler) {
        this.resizes = resizes;
        this.scheduler = scheduler;
    }

    @PostConstruct
    void start() {
        Duration every = Duration.ofMillis(RECHECK_MS);
        rechecks = scheduler.scheduleWithFixedDelay(this::recheck, Instant.now().plus(every), every);
    }

    /**
     * Completes with the new status once the resize's status is no longer {@code seen} (at once if
     * it already differs). The caller cancels the future when it stops waiting.
     */
    public CompletableFuture<ResizeStatus> change(String resizeId, ResizeStatus seen) {
        CompletableFuture<ResizeStatus> change = new CompletableFuture<>();
        Waiter waiter = new Waiter(seen, change);
        waiters.computeIfAbsent(resizeId, id -> new CopyOnWriteArrayList<>()).add(waiter);
        change.whenComplete((status, e) -> forget(resizeId, waiter));
        // registered first, read second: a change committed in between is not missed
        resizes.find(resizeId).map(ResizeRepository.ResizeRow::status)
                .filter(now -> now != seen).ifPresent(change::complete);
        return change;
    }

    @TransactionalEventListener(fallbackExecution = true)
    public void changed(ResizeStatusChanged event) {
        wake(event.resizeId(), event.status());
    }

    private void wake(String resizeId, ResizeStatus status) {
        List<Waiter> list = waiters.get(resizeId);
        if (list != null) {
            list.stream().filter(w -> w.seen() != status).forEach(w -> w.change().complete(status));
        }
    }

    /** Changes committed by another node (or missed): read the statuses of what is waited for. */
    private void recheck() {
        try {
            Set<String> ids = Set.copyOf(waiters.keySet());
            if (!ids.isEmpty()) {
                resizes.statuses(ids).forEach(this::wake);
            }
        } catch (RuntimeException e) {
            log.debug("could not read the statuses of waited-for resizes: {}", e.getMessage());
        }
    }

    private void forget(String resizeId, Waiter waiter) {
        waiters.computeIfPresent(resizeId, (id, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    @PreDestroy
    void stop() {
        rechecks.cancel(false);
    }
}
