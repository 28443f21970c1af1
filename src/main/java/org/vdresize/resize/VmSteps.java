package org.vdresize.resize;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditType;
import org.vdresize.common.OperationFailedException;
import org.vdresize.guest.GuestOutcome;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.resize.ResizeRepository.VmRow;
import org.vdresize.vm.VmDiskOutcome;
import org.vdresize.vm.VmDiskStatus;
import org.vdresize.vm.VmResizeService;

/**
 * The VM part of the diagram: Task_ResizeVm, once per VM (with the guest outcome of a VM that has no
 * guest agent channel, which has no guest step), and what decides roll back or forward after it.
 */
@Service
public class VmSteps {

    private static final Logger log = LoggerFactory.getLogger(VmSteps.class);

    private final ResizeRepository resizes;
    private final VmResizeService vmResize;
    private final StepRecorder recorder;

    public VmSteps(ResizeRepository resizes, VmResizeService vmResize, StepRecorder recorder) {
        this.resizes = resizes;
        this.vmResize = vmResize;
        this.recorder = recorder;
    }

    /**
     * @throws OperationFailedException the VM refused the resize for good (recorded as FAILED first)
     */
    public VmDiskOutcome resizeVm(StepRef step, String vmUuid) {
        ResizeRow r = resizes.of(step);
        VmDiskOutcome outcome;
        try {
            outcome = vmResize.resize(vmUuid, r.diskPath(), r.newSize());
        } catch (OperationFailedException e) {
            resizes.updateVm(r.id(), vmUuid, null, VmDiskStatus.FAILED, null, e.getMessage());
            recorder.record(Happened.of(step, r).detail("failed: " + e.getMessage()));
            throw e;
        }
        resizes.updateVm(r.id(), vmUuid, outcome.host(), outcome.status(), outcome.capacity(), outcome.detail());
        recorder.record(Happened.of(step, r).detail(outcome.detail())
                .audited(outcome.guestSawNewSize() ? AuditType.VM_DISK_RESIZED : AuditType.VM_SKIPPED, outcome.detail())
                .vm(outcome.vmName() != null ? outcome.vmName() : vmUuid).sizes(r.oldSize(), outcome.capacity()));
        return outcome;
    }

    /**
     * The guest outcome of a VM whose domain has no guest agent channel (found at validation, so it
     * has no guest step): NO_AGENT, recorded once the VM took the new size, as the guest step would.
     */
    public void guestWithoutAgent(StepRef step, String vmUuid) {
        ResizeRow r = resizes.of(step);
        if (!r.notifyGuest()) {
            return;
        }
        String name = resizes.vm(r.id(), vmUuid).map(VmRow::vmName).orElse(vmUuid);
        GuestOutcome outcome = GuestOutcome.noAgentChannel(name);
        resizes.saveGuest(r.id(), vmUuid, name, outcome);
        recorder.record(Happened.of(step, r)
                .audited(AuditType.GUEST_NOTIFY_FAILED, outcome.status() + ": " + outcome.detail())
                .vm(name).sizes(r.oldSize(), null));
    }

    /**
     * How many VMs may have seen the new size: those recorded as resized, and every VM that runs
     * now and either reports more than the old size or cannot be asked. Decides roll back versus
     * roll forward, so it errs towards "seen": shrinking under a guest that saw the space loses data.
     */
    public int vmsThatMaySeeTheNewSize(StepRef step) {
        ResizeRow r = resizes.of(step);
        int seen = 0;
        for (VmRow vm : resizes.vms(r.id())) {
            if (vm.status().sawNewSize() || vmReportsMoreThan(vm, r.diskPath(), r.oldSize())) {
                seen++;
            }
        }
        return seen;
    }

    private boolean vmReportsMoreThan(VmRow row, String diskPath, long oldSize) {
        try {
            return vmResize.capacityNow(row.vmUuid(), diskPath).map(capacity -> capacity > oldSize).orElse(false);
        } catch (RuntimeException unreachable) {
            log.warn("[{}] cannot ask VM {} what it sees ({}); counting it as having seen the new size", diskPath,
                    row.vmName(), unreachable.getMessage());
            return true;
        }
    }
}
