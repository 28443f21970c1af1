package org.vdresize.resize;

import java.util.Optional;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditType;
import org.vdresize.guest.GuestNotifyService;
import org.vdresize.guest.GuestOutcome;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.resize.ResizeRepository.VmRow;

/** The guest part of the diagram: Task_NotifyGuest, once per VM. */
@Service
public class GuestSteps {

    private final ResizeRepository resizes;
    private final GuestNotifyService guests;
    private final StepRecorder recorder;

    public GuestSteps(ResizeRepository resizes, GuestNotifyService guests, StepRecorder recorder) {
        this.resizes = resizes;
        this.guests = guests;
        this.recorder = recorder;
    }

    /** Tells the guest of one VM, when asked to and the VM took the new size. Never fails the resize. */
    public void notifyGuest(StepRef step, String vmUuid) {
        ResizeRow r = resizes.of(step);
        Optional<VmRow> vm = resizes.vm(r.id(), vmUuid);
        if (!r.notifyGuest()) {
            recorder.record(Happened.of(step, r).detail("not asked to tell the guest"));
            return;
        }
        if (vm.isEmpty() || !vm.get().status().sawNewSize()) {
            recorder.record(Happened.of(step, r).detail("VM " + vm.map(VmRow::vmName).orElse(vmUuid)
                    + " did not take the new size in a running QEMU: its guest sees it at the next start"));
            return;
        }
        GuestOutcome outcome = guests.notify(vmUuid, r.diskPath(), r.newSize(), r.growFilesystem());
        String name = vm.get().vmName();
        resizes.saveGuest(r.id(), vmUuid, name, outcome);
        String words = outcome.status() + ": " + outcome.detail();
        recorder.record(Happened.of(step, r).detail(words)
                .audited(outcome.failed() ? AuditType.GUEST_NOTIFY_FAILED : AuditType.GUEST_NOTIFIED, words)
                .vm(name).sizes(r.oldSize(), outcome.guestSize()));
        if (outcome.filesystemGrown()) {
            GuestOutcome.FilesystemGrowth fs = outcome.filesystem();
            recorder.record(Happened.of(step, r)
                    .audited(AuditType.FILESYSTEM_GROWN, fs.type() + " on " + fs.device() + " at " + fs.mountpoint())
                    .vm(name).sizes(fs.sizeBefore(), fs.sizeAfter()));
        }
    }
}
