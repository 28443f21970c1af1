package org.vdresize.resize;

import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditType;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.resize.ResizeRepository.ResizeRow;
import org.vdresize.storage.StorageJob;
import org.vdresize.storage.StorageJobService;
import org.vdresize.storage.StorageJobStatus;
import org.vdresize.storage.StorageResizeMode;

/**
 * The storage part of the diagram: Task_ExtendStorage, Task_CheckStorageJob and its compensation
 * Task_ShrinkStorageBack.
 */
@Service
public class StorageSteps {

    private final ResizeRepository resizes;
    private final StorageJobService storageJobs;
    private final InventoryPort inventory;
    private final VmSteps vms;
    private final StepRecorder recorder;

    public StorageSteps(ResizeRepository resizes, StorageJobService storageJobs, InventoryPort inventory, VmSteps vms,
                        StepRecorder recorder) {
        this.resizes = resizes;
        this.storageJobs = storageJobs;
        this.inventory = inventory;
        this.vms = vms;
        this.recorder = recorder;
    }

    public StorageJob extendStorage(StepRef step) {
        ResizeRow r = resizes.of(step);
        StorageResizeMode mode = storageMode(r);
        StorageJob job = storageJobs.start(new StorageJobService.Target(r.id(), r.diskPath(), r.host(), r.pool(),
                r.volume(), mode, r.oldSize(), r.newSize()));
        recorder.record(Happened.of(step, r).detail(switch (job.mode()) {
            case QEMU_GROWS -> "no storage change: a running QEMU holds the " + r.format() + " image and grows it in the VM step";
            case RESIZE -> "storage job " + job.id() + " grows " + r.pool() + "/" + r.volume() + " to " + r.newSize() + " B";
            case ALLOCATE -> "storage job " + job.id() + " grows and preallocates " + r.pool() + "/" + r.volume() + " to " + r.newSize() + " B";
        }));
        return job;
    }

    public StorageJobStatus checkStorage(StepRef step, String jobId) {
        ResizeRow r = resizes.of(step);
        StorageJobStatus status = storageJobs.check(jobId);
        Happened happened = Happened.of(step, r).detail(status.outcome() + ": " + status.detail());
        if (status.outcome() == StorageJobStatus.Outcome.DONE
                && storageJobs.forResize(r.id()).map(j -> j.mode() != StorageResizeMode.QEMU_GROWS).orElse(false)) {
            happened = happened.audited(AuditType.STORAGE_EXTENDED, status.detail());
        }
        recorder.record(happened);
        return status;
    }

    /** Compensation of the storage step: back to the exact old capacity. */
    public void undoStorage(StepRef step) {
        ResizeRow r = resizes.of(step);
        int seen = vms.vmsThatMaySeeTheNewSize(step);
        if (seen > 0) {
            // the last guard before a shrink: never take space away that a guest may already use
            throw new OperationFailedException(seen + " VM(s) may already see the new size of " + r.diskPath()
                    + "; refusing to shrink it back. Resolve the resize by hand.");
        }
        String what = storageJobs.undo(r.id());
        recorder.record(Happened.of(step, r).detail(what)
                .audited(AuditType.STORAGE_ROLLED_BACK, what).sizes(r.newSize(), r.oldSize()));
    }

    /** Decided when the step runs, not at request time: a VM may have started or stopped since. */
    private StorageResizeMode storageMode(ResizeRow r) {
        // a volume in a pool that is not qcow2 is grown by libvirt whoever holds it: no need to ask the VMs
        if (r.pool() == null) {
            if (!heldByQemu(r)) {
                throw new OperationFailedException(r.diskPath() + " is in no storage pool and no running VM holds it any more");
            }
            return StorageResizeMode.QEMU_GROWS;
        }
        if ("qcow2".equals(r.format()) && heldByQemu(r)) {
            return StorageResizeMode.QEMU_GROWS;
        }
        return r.preallocated() ? StorageResizeMode.ALLOCATE : StorageResizeMode.RESIZE;
    }

    /**
     * Whether a VM recorded at validation runs now with the disk. Reads those VMs only, live, not
     * every domain of every host; a VM that attached the disk after validation is not one the VM
     * step visits either.
     */
    private boolean heldByQemu(ResizeRow r) {
        return resizes.vms(r.id()).stream().anyMatch(row -> inventory.findVm(row.vmUuid())
                .filter(vm -> vm.state().isActive() && vm.diskByPath(r.diskPath()).isPresent()).isPresent());
    }
}
