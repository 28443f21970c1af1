package org.vdresize.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.process.ResizeProcess.*;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Activity;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.CompensateEventDefinition;
import org.camunda.bpm.model.bpmn.instance.ErrorEventDefinition;
import org.camunda.bpm.model.bpmn.instance.ExclusiveGateway;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.MultiInstanceLoopCharacteristics;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.camunda.bpm.model.bpmn.instance.ThrowEvent;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaFailedJobRetryTimeCycle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the diagram promises that a path test cannot see: ids in sync with ResizeProcess, which
 * steps are their own jobs (and retried how), which bean each task calls. No engine.
 */
class ResizeProcessModelTest {

    /** elements the diagram has beyond ResizeProcess's constants (the lead may add them there) */
    static final Set<String> ADDED_IDS = Set.of(
        "Event_DiskBusy", "Event_CompensateStorage",
        "Gateway_JoinRejection", "Gateway_JoinStorageCheck", "Gateway_JoinVmResize", "Gateway_JoinResult",
        "Gateway_JoinRollback");

    static final String RETRY_CYCLE = "PT1S,PT5S,PT15S,PT30S";

    private static BpmnModelInstance model;

    @BeforeAll
    static void readDiagram() throws Exception {
        try (InputStream in = ResizeProcessModelTest.class.getResourceAsStream("/bpmn/virtual-disk-resize.bpmn")) {
            model = Bpmn.readModelFromStream(in);
        }
        Bpmn.validateModel(model);
    }

    private static <T extends BaseElement> T element(String id) {
        T element = model.getModelElementById(id);
        assertThat(element).as(id).isNotNull();
        return element;
    }

    @Test
    void flowNodesAreExactlyTheConstantsOfResizeProcessPlusTheAddedOnes() throws IllegalAccessException {
        Set<String> constants = new TreeSet<>();
        for (Field field : ResizeProcess.class.getFields()) {
            boolean isElementId = Modifier.isStatic(field.getModifiers())
                && field.getName().matches("(TASK|EVENT|GATEWAY|USER_TASK)_.*");
            if (isElementId) {
                constants.add((String) field.get(null));
            }
        }
        Set<String> flowNodes = model.getModelElementsByType(FlowNode.class).stream()
            .map(FlowNode::getId).collect(Collectors.toCollection(TreeSet::new));

        Set<String> expected = new TreeSet<>(constants);
        expected.addAll(ADDED_IDS);
        assertThat(flowNodes).isEqualTo(expected);
    }

    @Test
    void processIsExecutableTakesItsHistoryTimeToLiveFromTheConfigurationAndRecordsWhoStartedIt() {
        Process process = element(PROCESS_KEY);
        assertThat(process.isExecutable()).isTrue();
        // vdresize.history.time-to-live (HistoryCleanupPlugin): operators change it without editing the diagram
        assertThat(process.getCamundaHistoryTimeToLiveString()).isNull();

        StartEvent start = element(EVENT_RESIZE_REQUESTED);
        assertThat(start.getCamundaInitiator()).isEqualTo(VAR_INITIATOR);
        assertThat(start.getCamundaFormRef()).isEqualTo("resize-start");
        assertThat(start.getCamundaFormRefBinding()).isEqualTo("latest");

        UserTask resolve = element(USER_TASK_RESOLVE_VM_FAILURE);
        assertThat(resolve.getCamundaFormRef()).isEqualTo("needs-attention");
        assertThat(resolve.getCamundaFormRefBinding()).isEqualTo("latest");
        assertThat(resolve.getCamundaCandidateGroups()).isEqualTo("disk-operators,camunda-admin");

        UserTask approve = element(USER_TASK_APPROVE_RESIZE);
        assertThat(approve.getCamundaFormRef()).isEqualTo("approve-resize");
        assertThat(approve.getCamundaFormRefBinding()).isEqualTo("latest");
        assertThat(approve.getCamundaCandidateGroups()).isEqualTo("disk-approvers,camunda-admin");
        // the status WAITING_FOR_APPROVAL is recorded by a service task; the task's only listeners are
        // the four-eyes rule's, on every claim/assignment and every completion
        assertThat(approve.getExtensionElements().getElementsQuery()
                .filterByType(org.camunda.bpm.model.bpmn.instance.camunda.CamundaTaskListener.class).list())
            .extracting(l -> l.getCamundaEvent() + " " + l.getCamundaDelegateExpression())
            .containsExactlyInAnyOrder("assignment ${fourEyesListener}", "complete ${fourEyesListener}");
        assertThat(approve.getExtensionElements().getElements()).hasSize(2);
    }

    @Test
    void approvalIsDecidedAfterTheLockAndBeforeAnythingIsChanged() {
        assertThat(this.<FlowNode>element(TASK_LOCK_DISK).getSucceedingNodes().singleResult().getId())
            .isEqualTo(GATEWAY_APPROVAL_NEEDED);
        assertThat(this.<FlowNode>element(TASK_EXTEND_STORAGE).getPreviousNodes().singleResult().getId())
            .isEqualTo(GATEWAY_JOIN_APPROVAL);
        // no approval needed is the default: false (and only false) goes straight on to the storage
        ExclusiveGateway needed = element(GATEWAY_APPROVAL_NEEDED);
        assertThat(needed.getDefault().getTarget().getId()).isEqualTo(GATEWAY_JOIN_APPROVAL);
        assertThat(conditionOf(needed, TASK_RECORD_APPROVAL_REQUEST)).isEqualTo("${" + VAR_APPROVAL_NEEDED + "}");
        // the approver's decision has no default: without a Boolean the completion fails
        ExclusiveGateway approved = element(GATEWAY_APPROVED);
        assertThat(approved.getDefault()).isNull();
        assertThat(conditionOf(approved, TASK_RECORD_APPROVAL)).isEqualTo("${" + VAR_APPROVED + "}");
        assertThat(conditionOf(approved, TASK_RECORD_REJECTION_BY_APPROVER)).isEqualTo("${!" + VAR_APPROVED + "}");
        assertThat(this.<FlowNode>element(TASK_RECORD_APPROVAL).getSucceedingNodes().singleResult().getId())
            .isEqualTo(GATEWAY_JOIN_APPROVAL);
        assertThat(this.<FlowNode>element(TASK_RELEASE_LOCK_AFTER_REJECTION).getSucceedingNodes().singleResult().getId())
            .isEqualTo(EVENT_RESIZE_NOT_APPROVED);
    }

    private static String conditionOf(ExclusiveGateway gateway, String targetId) {
        SequenceFlow flow = gateway.getOutgoing().stream()
            .filter(outgoing -> outgoing.getTarget().getId().equals(targetId)).findFirst().orElseThrow();
        return flow.getConditionExpression().getTextContent().trim();
    }

    @Test
    void everyServiceTaskCallsItsBean() {
        Map<String, String> beans = new TreeMap<>();
        for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
            beans.put(task.getId(), task.getCamundaDelegateExpression());
        }
        assertThat(beans).isEqualTo(new TreeMap<>(Map.ofEntries(
            Map.entry(TASK_VALIDATE_REQUEST, "${validateRequestDelegate}"),
            Map.entry(TASK_RECORD_REJECTION, "${recordRejectionDelegate}"),
            Map.entry(TASK_RECORD_NOOP, "${recordNoopDelegate}"),
            Map.entry(TASK_LOCK_DISK, "${lockDiskDelegate}"),
            Map.entry(TASK_RECORD_APPROVAL_REQUEST, "${recordApprovalRequestDelegate}"),
            Map.entry(TASK_RECORD_APPROVAL, "${recordApprovalDelegate}"),
            Map.entry(TASK_RECORD_REJECTION_BY_APPROVER, "${recordApproverRejectionDelegate}"),
            Map.entry(TASK_RELEASE_LOCK_AFTER_REJECTION, "${releaseLockDelegate}"),
            Map.entry(TASK_EXTEND_STORAGE, "${extendStorageDelegate}"),
            Map.entry(TASK_SHRINK_STORAGE_BACK, "${shrinkStorageBackDelegate}"),
            Map.entry(TASK_CHECK_STORAGE_JOB, "${checkStorageJobDelegate}"),
            Map.entry(TASK_RESIZE_VM, "${resizeVmDelegate}"),
            Map.entry(TASK_NOTIFY_GUEST, "${notifyGuestDelegate}"),
            Map.entry(TASK_RECORD_NEEDS_ATTENTION, "${recordNeedsAttentionDelegate}"),
            Map.entry(TASK_RECORD_ROLLBACK, "${recordRollbackDelegate}"),
            Map.entry(TASK_RECORD_RESULT, "${recordResultDelegate}"),
            Map.entry(TASK_RELEASE_LOCK, "${releaseLockDelegate}"),
            Map.entry(TASK_RELEASE_LOCK_AFTER_ROLLBACK, "${releaseLockDelegate}"))));
    }

    @Test
    void onlyTheStepsThatTouchLibvirtOrStorageAreOwnJobsAndEachIsRetriedWithBackoff() {
        // asynchronous = a job of its own, committed before it runs, retried on failure
        for (String id : new String[] {TASK_EXTEND_STORAGE, TASK_CHECK_STORAGE_JOB,
                EVENT_UNDO_AFTER_STORAGE_FAILURE, EVENT_UNDO_AFTER_VM_FAILURE}) {
            FlowNode node = element(id);
            assertThat(node.isCamundaAsyncBefore()).as(id + " asyncBefore").isTrue();
            assertThat(retryCycleOf(node)).as(id + " retry cycle").isEqualTo(RETRY_CYCLE);
        }
        // synchronous: the starting transaction answers the REST call (rejection, DISK_BUSY, WAITING_FOR_APPROVAL)
        for (String id : new String[] {TASK_VALIDATE_REQUEST, TASK_LOCK_DISK, TASK_RECORD_APPROVAL_REQUEST}) {
            assertThat(this.<FlowNode>element(id).isCamundaAsyncBefore()).as(id + " asyncBefore").isFalse();
        }
        // database-only steps ride in the job before them
        for (String id : new String[] {TASK_RECORD_REJECTION, TASK_RECORD_NOOP, TASK_RECORD_ROLLBACK,
                TASK_RECORD_NEEDS_ATTENTION, TASK_RECORD_RESULT, TASK_RELEASE_LOCK, TASK_RELEASE_LOCK_AFTER_ROLLBACK,
                TASK_SHRINK_STORAGE_BACK, TASK_RECORD_APPROVAL, TASK_RECORD_REJECTION_BY_APPROVER,
                TASK_RELEASE_LOCK_AFTER_REJECTION}) {
            assertThat(this.<FlowNode>element(id).isCamundaAsyncBefore()).as(id + " asyncBefore").isFalse();
        }
    }

    @Test
    void eachVmIsItsOwnJobInSequenceWhileTheMultiInstanceBodyIsNot() {
        // the VM step and the guest step both call libvirt per VM
        for (String id : new String[] {TASK_RESIZE_VM, TASK_NOTIFY_GUEST}) {
            Activity perVm = element(id);
            MultiInstanceLoopCharacteristics loop = (MultiInstanceLoopCharacteristics) perVm.getLoopCharacteristics();
            assertThat(loop).as(id + " is multi-instance").isNotNull();
            assertThat(loop.isSequential()).as(id + " sequential").isTrue();
            assertThat(loop.getCamundaCollection()).as(id)
                    .isEqualTo("${" + (id.equals(TASK_RESIZE_VM) ? VAR_VMS_TO_RESIZE : VAR_GUESTS_TO_NOTIFY) + "}");
            assertThat(loop.getCamundaElementVariable()).as(id).isEqualTo(VAR_VM_UUID);
            // on the loop characteristics = the inner activity (one job per VM, none for an empty list)
            assertThat(loop.isCamundaAsyncBefore()).as(id + " inner asyncBefore").isTrue();
            assertThat(retryCycleOf(loop)).as(id + " retry cycle").isEqualTo(RETRY_CYCLE);
            // on the task = the multi-instance body: all VMs would share one job
            assertThat(perVm.isCamundaAsyncBefore()).as(id + " body asyncBefore").isFalse();
            assertThat(perVm.isCamundaAsyncAfter()).as(id + " body asyncAfter").isFalse();
        }
    }

    @Test
    void theGuestStepRunsOnTheHappyPathAndNothingCanMakeItFailOrUndoTheResize() {
        ServiceTask notify = element(TASK_NOTIFY_GUEST);
        assertThat(notify.getIncoming()).singleElement()
            .satisfies(flow -> assertThat(flow.getSource().getId()).isEqualTo(GATEWAY_JOIN_RESULT));
        assertThat(notify.getOutgoing()).singleElement()
            .satisfies(flow -> assertThat(flow.getTarget().getId()).isEqualTo(TASK_RECORD_RESULT));
        // no error, no compensation: a guest that cannot be told is recorded, never a failed resize
        assertThat(model.getModelElementsByType(BoundaryEvent.class))
            .noneMatch(boundary -> boundary.getAttachedTo().getId().equals(TASK_NOTIFY_GUEST));
        assertThat(notify.isForCompensation()).isFalse();
    }

    @Test
    void boundaryErrorsCatchTheCodesTheDelegatesThrow() {
        assertThat(errorCodeOf(EVENT_REQUEST_REJECTED)).isEqualTo(ERROR_REQUEST_REJECTED);
        assertThat(errorCodeOf("Event_DiskBusy")).isEqualTo(ERROR_REQUEST_REJECTED);
        assertThat(errorCodeOf(EVENT_STORAGE_JOB_FAILED)).isEqualTo(ERROR_STORAGE_JOB_FAILED);
        assertThat(errorCodeOf(EVENT_VM_RESIZE_FAILED)).isEqualTo(ERROR_VM_RESIZE_FAILED);
        assertThat(this.<BoundaryEvent>element(EVENT_VM_RESIZE_FAILED).getAttachedTo().getId()).isEqualTo(TASK_RESIZE_VM);
        assertThat(this.<BoundaryEvent>element("Event_DiskBusy").getAttachedTo().getId()).isEqualTo(TASK_LOCK_DISK);
    }

    @Test
    void bothUndoEventsCompensateOnlyTheStorageGrowthAndWaitForIt() {
        for (String id : new String[] {EVENT_UNDO_AFTER_STORAGE_FAILURE, EVENT_UNDO_AFTER_VM_FAILURE}) {
            ThrowEvent undo = element(id);
            var compensate = (CompensateEventDefinition) undo.getEventDefinitions().iterator().next();
            assertThat(compensate.getActivity().getId()).as(id).isEqualTo(TASK_EXTEND_STORAGE);
            assertThat(compensate.isWaitForCompletion()).as(id).isTrue();
        }
        assertThat(this.<Activity>element(TASK_SHRINK_STORAGE_BACK).isForCompensation()).isTrue();
    }

    @Test
    void everyFlowNodeIsDrawnSoCockpitShowsIt() {
        Set<String> drawn = model.getModelElementsByType(BpmnShape.class).stream()
            .map(shape -> shape.getBpmnElement().getId()).collect(Collectors.toSet());
        assertThat(drawn).containsAll(model.getModelElementsByType(FlowNode.class).stream()
            .map(FlowNode::getId).collect(Collectors.toList()));
    }

    private static String retryCycleOf(BaseElement element) {
        if (element.getExtensionElements() == null) {
            return null;
        }
        return element.getExtensionElements().getElementsQuery()
            .filterByType(CamundaFailedJobRetryTimeCycle.class).list().stream()
            .map(CamundaFailedJobRetryTimeCycle::getTextContent).map(String::trim)
            .findFirst().orElse(null);
    }

    private String errorCodeOf(String boundaryEventId) {
        BoundaryEvent event = element(boundaryEventId);
        return Arrays.stream(event.getEventDefinitions().toArray())
            .map(ErrorEventDefinition.class::cast)
            .map(definition -> definition.getError().getErrorCode())
            .findFirst().orElseThrow();
    }
}
