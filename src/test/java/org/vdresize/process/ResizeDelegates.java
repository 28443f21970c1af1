package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.mockito.Mockito;
import org.vdresize.resize.ApprovalNotAllowedException;
import org.vdresize.resize.FourEyes;

/**
 * One recording delegate per delegate bean of the diagram, registered under the bean name the
 * diagram's delegateExpression uses. By default every delegate does nothing; the given... methods make a
 * delegate set the variables (or throw the BPMN error) a path needs - they document what the
 * diagram expects of each real delegate.
 */
final class ResizeDelegates {

    static final String DISK = "/var/lib/libvirt/images/data.qcow2";
    static final long GIB = 1L << 30;

    final RecordingDelegate validateRequest = new RecordingDelegate();
    final RecordingDelegate recordRejection = new RecordingDelegate();
    final RecordingDelegate recordNoop = new RecordingDelegate();
    final RecordingDelegate lockDisk = new RecordingDelegate();
    final RecordingDelegate recordApprovalRequest = new RecordingDelegate();
    final RecordingDelegate recordApproval = new RecordingDelegate();
    final RecordingDelegate recordApproverRejection = new RecordingDelegate();
    final RecordingDelegate extendStorage = new RecordingDelegate();
    final RecordingDelegate shrinkStorageBack = new RecordingDelegate();
    final RecordingDelegate checkStorageJob = new RecordingDelegate();
    final RecordingDelegate resizeVm = new RecordingDelegate();
    final RecordingDelegate notifyGuest = new RecordingDelegate();
    final RecordingDelegate recordNeedsAttention = new RecordingDelegate();
    final RecordingDelegate recordRollback = new RecordingDelegate();
    final RecordingDelegate recordResult = new RecordingDelegate();
    final RecordingDelegate releaseLock = new RecordingDelegate();
    /** the four-eyes rule behind the approval task's listener (a Mockito mock) */
    final FourEyes fourEyes = Mockito.mock(FourEyes.class);
    /** every operator decision the task listener saw */
    final List<Object> operatorDecisions = new ArrayList<>();

    /** every vmUuid resizeVmDelegate was called with, in order (calls that threw included) */
    final List<String> vmCalls = new ArrayList<>();
    /** every vmUuid notifyGuestDelegate was called with, in order (calls that threw included) */
    final List<String> guestCalls = new ArrayList<>();
    /** the VM, guest and result steps in the order they ran: "vm:vm-1", "guest:vm-1", "result" */
    final List<String> trail = new ArrayList<>();

    ResizeDelegates() {
        Map<String, RecordingDelegate> beans = new LinkedHashMap<>();
        beans.put("validateRequestDelegate", validateRequest);
        beans.put("recordRejectionDelegate", recordRejection);
        beans.put("recordNoopDelegate", recordNoop);
        beans.put("lockDiskDelegate", lockDisk);
        beans.put("recordApprovalRequestDelegate", recordApprovalRequest);
        beans.put("recordApprovalDelegate", recordApproval);
        beans.put("recordApproverRejectionDelegate", recordApproverRejection);
        beans.put("extendStorageDelegate", extendStorage);
        beans.put("shrinkStorageBackDelegate", shrinkStorageBack);
        beans.put("checkStorageJobDelegate", checkStorageJob);
        beans.put("resizeVmDelegate", resizeVm);
        beans.put("notifyGuestDelegate", notifyGuest);
        beans.put("recordNeedsAttentionDelegate", recordNeedsAttention);
        beans.put("recordRollbackDelegate", recordRollback);
        beans.put("recordResultDelegate", recordResult);
        beans.put("releaseLockDelegate", releaseLock);
        beans.forEach(Mocks::register);
        Mocks.register("operatorDecisionListener",
                (org.camunda.bpm.engine.delegate.TaskListener) task -> operatorDecisions.add(task.getVariable("operatorDecision")));
        // the real listener: its rule (FourEyes) says yes to everyone unless a test tells it otherwise
        Mocks.register("fourEyesListener", new FourEyesListener(fourEyes));
        givenStorageJobStates(STORAGE_JOB_DONE);
        givenStorageJobToCheck(true);
        givenVmResults(Map.of());
        givenGuestResults(Map.of());
        recordResult.does(execution -> trail.add("result"));
    }

    // ---------------------------------------------------------------- validate

    /** whether the validate delegate finds the growth above the approval threshold */
    private boolean approvalNeeded;

    /** a valid request that grows the disk from 10 to 20 GiB; the storage step then visits these VMs */
    ResizeDelegates givenValidRequest(String... vmUuids) {
        return givenValidRequestPolledEvery("PT5S", vmUuids);
    }

    /** the valid request's growth is above the approval threshold (call with givenValidRequest) */
    ResizeDelegates givenApprovalNeeded() {
        approvalNeeded = true;
        return this;
    }

    /** the same with another poll interval (an ISO-8601 duration) */
    ResizeDelegates givenValidRequestPolledEvery(String pollInterval, String... vmUuids) {
        validateRequest.does(execution -> {
            execution.setVariable(VAR_DISK_PATH, DISK);
            execution.setVariable(VAR_OLD_SIZE, 10 * GIB);
            execution.setVariable(VAR_NEW_SIZE, 20 * GIB);
            execution.setVariable(VAR_NOOP, false);
            execution.setVariable(VAR_APPROVAL_NEEDED, approvalNeeded);
            execution.setVariable(VAR_POLL_INTERVAL, pollInterval);
            execution.setVariable(VAR_VMS_TO_RESIZE, new ArrayList<>(Arrays.asList(vmUuids)));
            execution.setVariable(VAR_GUESTS_TO_NOTIFY, new ArrayList<>(Arrays.asList(vmUuids)));
        });
        return this;
    }

    /** the disk already has the requested size */
    ResizeDelegates givenNoopRequest() {
        validateRequest.does(execution -> {
            execution.setVariable(VAR_DISK_PATH, DISK);
            execution.setVariable(VAR_OLD_SIZE, 20 * GIB);
            execution.setVariable(VAR_NEW_SIZE, 20 * GIB);
            execution.setVariable(VAR_NOOP, true);
            execution.setVariable(VAR_APPROVAL_NEEDED, false);
            execution.setVariable(VAR_POLL_INTERVAL, "PT5S");
            execution.setVariable(VAR_VMS_TO_RESIZE, new ArrayList<String>());
            execution.setVariable(VAR_GUESTS_TO_NOTIFY, new ArrayList<String>());
        });
        return this;
    }

    /** the request breaks a rule: the delegate names the rule in errorCode/errorMessage, then throws */
    ResizeDelegates givenRejectedRequest(String code, String message) {
        validateRequest.does(execution -> rejectWith(execution, ERROR_REQUEST_REJECTED, code, message));
        return this;
    }

    /** the four-eyes rule refuses this user the approval task: claiming it, and completing it */
    ResizeDelegates givenRequestedBy(String requester) {
        Mockito.doThrow(new ApprovalNotAllowedException("four eyes: " + requester + " requested it"))
            .when(fourEyes).checkApprover(Mockito.anyString(), Mockito.eq(requester));
        Mockito.doThrow(new ApprovalNotAllowedException("four eyes: " + requester + " requested it"))
            .when(fourEyes).checkAssignee(Mockito.anyString(), Mockito.eq(requester));
        return this;
    }

    // ---------------------------------------------------------------- lock

    ResizeDelegates givenDiskBusy() {
        lockDisk.does(execution -> rejectWith(execution, ERROR_REQUEST_REJECTED, "DISK_BUSY",
            "another resize of " + DISK + " is in progress"));
        return this;
    }

    // ---------------------------------------------------------------- storage

    /**
     * Task_ExtendStorage started a storage job the process must check (true), or found that a
     * running QEMU grows the image in the VM step (false: no job to wait for)
     */
    ResizeDelegates givenStorageJobToCheck(boolean toCheck) {
        extendStorage.does(execution -> execution.setVariable(VAR_STORAGE_JOB_TO_CHECK, toCheck));
        return this;
    }

    /** Task_CheckStorageJob answers these states, one per call; the last one repeats */
    ResizeDelegates givenStorageJobStates(String... states) {
        Deque<String> answers = new ArrayDeque<>(Arrays.asList(states));
        checkStorageJob.does(execution -> {
            String state = answers.size() > 1 ? answers.poll() : answers.peek();
            execution.setVariable(VAR_STORAGE_JOB_STATE, state);
        });
        return this;
    }

    /** the storage job reports RUNNING {@code runningChecks} times, then fails with this code */
    ResizeDelegates givenStorageJobFails(int runningChecks, String code, String message) {
        int[] calls = {0};
        checkStorageJob.does(execution -> {
            if (calls[0]++ < runningChecks) {
                execution.setVariable(VAR_STORAGE_JOB_STATE, STORAGE_JOB_RUNNING);
                return;
            }
            rejectWith(execution, ERROR_STORAGE_JOB_FAILED, code, message);
        });
        return this;
    }

    // ---------------------------------------------------------------- VMs

    /**
     * resizeVmDelegate per VM: absent or "ok" = resized (vmsResized + 1), "fail" = refused for good
     * (VM_RESIZE_FAILED), "fail-once" = refused the first time and resized on a later visit,
     * "transient" = a RuntimeException (the job fails and is retried), "transient-once" = that the
     * first time only.
     */
    ResizeDelegates givenVmResults(Map<String, String> results) {
        Map<String, Integer> visits = new LinkedHashMap<>();
        resizeVm.does(execution -> {
            String vm = (String) execution.getVariable(VAR_VM_UUID);
            vmCalls.add(vm);
            trail.add("vm:" + vm);
            int visit = visits.merge(vm, 1, Integer::sum);
            String result = results.getOrDefault(vm, "ok");
            boolean fails = result.equals("fail") || (result.equals("fail-once") && visit == 1);
            if (fails) {
                rejectWith(execution, ERROR_VM_RESIZE_FAILED, "VM_STATE", "VM " + vm + " refused the block resize");
            }
            if (result.equals("transient") || (result.equals("transient-once") && visit == 1)) {
                throw new IllegalStateException("libvirt connection to the host of " + vm + " lost");
            }
            execution.setVariable(VAR_VMS_RESIZED, (Integer) execution.getVariable(VAR_VMS_RESIZED) + 1);
        });
        return this;
    }

    // ---------------------------------------------------------------- guests

    /**
     * notifyGuestDelegate per VM: absent or "ok" = done (the real delegate records NOTIFIED, NO_AGENT
     * or FAILED itself and never throws a BPMN error), "transient" = a RuntimeException every time
     * (a bug or a lost connection: the job fails and is retried), "transient-once" = the first time only.
     */
    ResizeDelegates givenGuestResults(Map<String, String> results) {
        Map<String, Integer> visits = new LinkedHashMap<>();
        notifyGuest.does(execution -> {
            String vm = (String) execution.getVariable(VAR_VM_UUID);
            guestCalls.add(vm);
            trail.add("guest:" + vm);
            int visit = visits.merge(vm, 1, Integer::sum);
            String result = results.getOrDefault(vm, "ok");
            if (result.equals("transient") || (result.equals("transient-once") && visit == 1)) {
                throw new IllegalStateException("guest agent channel of " + vm + " closed unexpectedly");
            }
        });
        return this;
    }

    private static void rejectWith(DelegateExecution execution, String bpmnError, String code, String message) {
        execution.setVariable(VAR_ERROR_CODE, code);
        execution.setVariable(VAR_ERROR_MESSAGE, message);
        throw new BpmnError(bpmnError, message);
    }
}
