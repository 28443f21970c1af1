package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.STEP_NAMES;

import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.camunda.bpm.engine.ActivityTypes;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.vdresize.resize.ResizeRepository;
import org.vdresize.resize.StepName;
import org.vdresize.resize.ResizeRepository.StepRow;

/**
 * Resizes recorded before vdresize kept their steps itself have theirs only in the engine's
 * history: at start-up, before the job executor runs (so before the history cleanup can remove
 * anything), their steps are copied from the history into vdr_resize_step. A resize that has no
 * step row and no history (history level none) is asked again at the next start; nothing else is.
 */
@Component
public class StepBackfill implements ApplicationListener<ContextRefreshedEvent> {

    private static final Logger log = LoggerFactory.getLogger(StepBackfill.class);

    private final ResizeRepository resizes;
    private final HistoryService history;
    private final TransactionTemplate tx;
    private final AtomicBoolean done = new AtomicBoolean();

    StepBackfill(ResizeRepository resizes, HistoryService history, PlatformTransactionManager transactionManager) {
        this.resizes = resizes;
        this.history = history;
        this.tx = new TransactionTemplate(transactionManager);
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        if (done.compareAndSet(false, true)) {
            copyFromHistory();
        }
    }

    /** @return how many steps it copied */
    public int copyFromHistory() {
        List<String> ids = resizes.idsWithoutSteps();
        if (ids.isEmpty()) {
            return 0;
        }
        long t0 = System.nanoTime();
        int copied = 0;
        for (String id : ids) {
            List<HistoricActivityInstance> activities = history.createHistoricActivityInstanceQuery().processInstanceId(id)
                    .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list();
            List<StepRow> steps = new java.util.ArrayList<>();
            long seq = 0;
            for (int i = 0; i < activities.size(); i++) {
                HistoricActivityInstance a = activities.get(i);
                seq++; // the query's order: what the engine's sequence counter gave these steps
                StepName name = STEP_NAMES.get(a.getActivityId());
                if (name != null) {
                    // an event-based gateway ends cancelled when one of its events comes, and the instance goes on
                    boolean leftForAnEvent = ActivityTypes.GATEWAY_EVENT_BASED.equals(a.getActivityType())
                            && i < activities.size() - 1;
                    steps.add(new StepRow(id, a.getId(), a.getActivityId(), name.name(), instant(a.getStartTime()),
                            instant(a.getEndTime()), a.isCanceled() && !leftForAnEvent, seq));
                }
            }
            if (!steps.isEmpty()) {
                tx.executeWithoutResult(status -> steps.forEach(resizes::saveStep));
                copied += steps.size();
            }
        }
        log.info("copied {} steps of {} resizes recorded before vdresize kept steps itself from the engine's history in {} ms",
                copied, ids.size(), (System.nanoTime() - t0) / 1_000_000);
        return copied;
    }

    private static java.time.Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
