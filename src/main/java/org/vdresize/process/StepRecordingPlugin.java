package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.PROCESS_KEY;
import static org.vdresize.process.ResizeProcess.STEP_NAMES;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.ActivityTypes;
import org.camunda.bpm.engine.impl.context.BpmnExecutionContext;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.history.event.HistoricActivityInstanceEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoricProcessInstanceEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.springframework.stereotype.Component;
import org.vdresize.resize.ResizeRepository;
import org.vdresize.resize.StepName;
import org.vdresize.resize.ResizeRepository.StepRow;

/**
 * Keeps a resize's steps, and who cancelled its instance, in vdresize's own tables as they happen,
 * so that the resize's view does not depend on the engine's history (which the history cleanup
 * removes once its time to live has passed).
 *
 * <p>It hears the same events the engine writes its history from: an activity instance of a step
 * starting or ending (completed, or cancelled: an interrupting boundary event, a deleted instance),
 * and a resize's instance ending without reaching an end event. It writes in the transaction of
 * the command that produced the event, so a step's row commits or rolls back with the step, like
 * the engine's ACT_HI_ACTINST row. Needs a history level of {@code activity} or above (vdresize sets
 * {@code full}).
 */
@Component
public class StepRecordingPlugin extends AbstractProcessEnginePlugin {

    private final ResizeRepository resizes;

    public StepRecordingPlugin(ResizeRepository resizes) {
        this.resizes = resizes;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration.getCustomHistoryEventHandlers() == null) {
            configuration.setCustomHistoryEventHandlers(new ArrayList<>());
        }
        configuration.getCustomHistoryEventHandlers().add(new Recorder(resizes));
    }

    /** The engine's history events of the resize process, into vdresize's tables. */
    static final class Recorder implements HistoryEventHandler {

        private final ResizeRepository resizes;

        Recorder(ResizeRepository resizes) {
            this.resizes = resizes;
        }

        @Override
        public void handleEvent(HistoryEvent event) {
            if (!PROCESS_KEY.equals(event.getProcessDefinitionKey())) {
                return;
            }
            if (event instanceof HistoricActivityInstanceEventEntity a) {
                activity(a);
            } else if (event instanceof HistoricProcessInstanceEventEntity p
                    && p.isEventOfType(HistoryEventTypes.PROCESS_INSTANCE_END)) {
                ended(p);
            }
        }

        @Override
        public void handleEvents(List<HistoryEvent> events) {
            events.forEach(this::handleEvent);
        }

        private void activity(HistoricActivityInstanceEventEntity a) {
            StepName name = STEP_NAMES.get(a.getActivityId());
            boolean startOrEnd = a.isEventOfType(HistoryEventTypes.ACTIVITY_INSTANCE_START)
                    || a.isEventOfType(HistoryEventTypes.ACTIVITY_INSTANCE_END);
            if (name == null || !startOrEnd) {
                return; // gateways, events, multi-instance bodies; updates (a task's assignee) change no step
            }
            resizes.saveStep(new StepRow(a.getProcessInstanceId(), a.getActivityInstanceId(), a.getActivityId(), name.name(),
                    instant(a.getStartTime()), instant(a.getEndTime()), a.isCanceled() && !leftForOneOfItsEvents(a),
                    a.getSequenceCounter()));
        }

        /**
         * The engine ends an event-based gateway's activity instance as cancelled when one of its
         * events comes, which is how the wait ends; it failed only when the instance itself is cancelled.
         */
        private static boolean leftForOneOfItsEvents(HistoricActivityInstanceEventEntity a) {
            if (!ActivityTypes.GATEWAY_EVENT_BASED.equals(a.getActivityType())) {
                return false;
            }
            BpmnExecutionContext context = Context.getBpmnExecutionContext();
            if (context == null || context.getExecution() == null) {
                return false;
            }
            ExecutionEntity instance = context.getExecution().getProcessInstance();
            return !instance.isEnded() && instance.getDeleteReason() == null;
        }

        /** Cancelled or deleted: who did it is the command's user, as in the engine's user operation log. */
        private void ended(HistoricProcessInstanceEventEntity p) {
            if (!HistoricProcessInstance.STATE_EXTERNALLY_TERMINATED.equals(p.getState())
                    && !HistoricProcessInstance.STATE_INTERNALLY_TERMINATED.equals(p.getState())) {
                return; // ended through one of its end events: its own steps wrote how
            }
            String user = Context.getCommandContext() == null ? null : Context.getCommandContext().getAuthenticatedUserId();
            resizes.saveCancellation(p.getProcessInstanceId(), user, p.getDeleteReason(),
                    p.getEndTime() == null ? Instant.now() : p.getEndTime().toInstant());
        }

        private static Instant instant(Date date) {
            return date == null ? null : date.toInstant();
        }
    }
}
