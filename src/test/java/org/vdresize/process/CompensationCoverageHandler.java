package org.vdresize.process;

import java.lang.reflect.Field;
import java.time.Instant;

import org.camunda.bpm.engine.impl.bpmn.helper.BpmnProperties;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.event.CompensationEventHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.community.process_test_coverage.core.model.Collector;
import org.camunda.community.process_test_coverage.core.model.Event;
import org.camunda.community.process_test_coverage.core.model.EventSource;
import org.camunda.community.process_test_coverage.core.model.EventType;
import org.camunda.community.process_test_coverage.engine.platform7.ElementCoverageParseListener;

/**
 * Counts a compensation boundary event as covered when compensation runs its handler.
 *
 * <p>A compensation boundary event leaves no history and runs no listener, so coverage needs an
 * event handler. camunda-process-test-coverage 3.0.0 ships one (CompensationEventCoverageHandler),
 * but it overrides the five-argument {@code handleEvent} of older engines; Camunda 7.24 calls a
 * six-argument one, so that handler is never called and Event_CompensateStorage would never count.
 * This one overrides the 7.24 method and records the same START/END events into the collector of the
 * coverage parse listener (which the coverage extension fills in before each test).
 */
public class CompensationCoverageHandler extends CompensationEventHandler {

    @Override
    public void handleEvent(EventSubscriptionEntity subscription, Object payload, Object localPayload,
                            Object payloadToTriggeredScope, String businessKey, CommandContext commandContext) {
        recordBoundaryEvent(subscription, commandContext.getProcessEngineConfiguration());
        super.handleEvent(subscription, payload, localPayload, payloadToTriggeredScope, businessKey, commandContext);
    }

    private static void recordBoundaryEvent(EventSubscriptionEntity subscription, ProcessEngineConfigurationImpl configuration) {
        ActivityImpl handler = subscription.getActivity();
        ActivityImpl boundaryEvent = handler.getProperties().get(BpmnProperties.COMPENSATION_BOUNDARY_EVENT);
        if (boundaryEvent == null) {
            return; // compensation of a sub-process by an event sub-process: no boundary event to count
        }
        String processKey = ((ProcessDefinitionEntity) handler.getProcessDefinition()).getKey();
        long now = Instant.now().getEpochSecond();
        Collector collector = collectorOf(configuration);
        for (EventType type : new EventType[] {EventType.START, EventType.END}) {
            collector.addEvent(new Event(EventSource.FLOW_NODE, type, boundaryEvent.getActivityId(), "boundaryEvent",
                processKey, now));
        }
    }

    private static Collector collectorOf(ProcessEngineConfigurationImpl configuration) {
        for (BpmnParseListener listener : configuration.getCustomPostBPMNParseListeners()) {
            if (listener instanceof ElementCoverageParseListener) {
                try {
                    Field field = ElementCoverageParseListener.class.getDeclaredField("coverageState");
                    field.setAccessible(true);
                    return (Collector) field.get(listener);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("process-test-coverage changed its ElementCoverageParseListener", e);
                }
            }
        }
        throw new IllegalStateException("ElementCoverageParseListener is not registered in process-test.camunda.cfg.xml");
    }
}
