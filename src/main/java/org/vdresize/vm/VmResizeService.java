package org.vdresize.vm;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.vdresize.common.OperationFailedException;
import org.vdresize.common.TransientFailureException;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;

/**
 * The "HSM" step: tells the QEMU of one VM that its disk grew, on the host where the VM runs at
 * this moment, and reads the capacity back. Idempotent: a VM that already reports the target is done.
 */
@Service
public class VmResizeService {

    private static final Logger log = LoggerFactory.getLogger(VmResizeService.class);

    private final InventoryPort inventory;
    private final HypervisorPort hypervisor;

    public VmResizeService(InventoryPort inventory, HypervisorPort hypervisor) {
        this.inventory = inventory;
        this.hypervisor = hypervisor;
    }

    /**
     * @throws OperationFailedException   QEMU refused the resize or did not reach the target
     * @throws TransientFailureException  the host or the VM is busy or unreachable; retry later
     */
    public VmDiskOutcome resize(String vmUuid, String diskPath, long newSize) {
        Optional<Vm> found = findVm(vmUuid);
        if (found.isEmpty()) {
            return new VmDiskOutcome(VmDiskStatus.GONE, null, null, null, "VM " + vmUuid + " is no longer defined on any available host");
        }
        Vm vm = found.get();
        Optional<VmDisk> disk = vm.diskByPath(diskPath);
        if (disk.isEmpty()) {
            return new VmDiskOutcome(VmDiskStatus.DETACHED, vm.host(), vm.name(), null, "VM " + vm.name() + " no longer uses " + diskPath);
        }
        if (!vm.state().isActive()) {
            if (vm.state().allowsResize()) {
                return new VmDiskOutcome(VmDiskStatus.NOT_RUNNING, vm.host(), vm.name(), null,
                        "VM " + vm.name() + " is shut off; it sees the new size when it starts");
            }
            throw new TransientFailureException("VM " + vm.name() + " is " + vm.state() + "; waiting for a state that allows the resize");
        }
        String target = disk.get().target();
        refuseUnderBlockJob(vm, target, newSize);
        HypervisorPort.Growth growth = hypervisor.grow(vm.host(), vm.uuid(), target, newSize);
        if (growth.before() >= newSize) {
            return new VmDiskOutcome(VmDiskStatus.RESIZED, vm.host(), vm.name(), growth.before(),
                    "QEMU already reports " + growth.before() + " B for " + target + " on host " + vm.host());
        }
        if (growth.after() < newSize) {
            throw new OperationFailedException("after the block resize QEMU reports " + growth.after() + " B for "
                    + target + " of VM " + vm.name() + ", below the target " + newSize + " B");
        }
        log.info("[{}] VM {} on {}: {} grew from {} to {} B", diskPath, vm.name(), vm.host(), target, growth.before(), growth.after());
        return new VmDiskOutcome(VmDiskStatus.RESIZED, vm.host(), vm.name(), growth.after(),
                target + " of VM " + vm.name() + " on host " + vm.host() + ": " + growth.before() + " B -> " + growth.after() + " B");
    }

    /**
     * A block job that started after validation: QEMU would refuse the resize through every retry
     * ("Device is in use"), so this fails at once. A VM that already reports the size (a retried step)
     * needs no resize and is not refused.
     */
    private void refuseUnderBlockJob(Vm vm, String target, long newSize) {
        Optional<BlockJob> job = hypervisor.blockJob(vm.host(), vm.uuid(), target);
        if (job.isPresent() && hypervisor.blockInfo(vm.host(), vm.uuid(), target).capacity() < newSize) {
            throw new OperationFailedException("DISK_BUSY: " + job.get().describe(vm.name(), target)
                    + " since the resize was accepted; QEMU refuses a resize until it ends");
        }
    }

    /**
     * The VM, looked up on every host. The inventory leaves out hosts it cannot ask, so "not found"
     * is only believed when every configured host answers: a VM whose host is down (libvirtd
     * restarting) is not gone, and must neither be skipped as GONE (it would never see the new size)
     * nor be counted as not having seen it (the storage would be shrunk under its guest).
     *
     * @throws TransientFailureException a host that may run the VM cannot be asked now
     */
    private Optional<Vm> findVm(String vmUuid) {
        Optional<Vm> found = inventory.findVm(vmUuid);
        if (found.isPresent()) {
            return found;
        }
        List<String> unavailable = inventory.hosts().stream().filter(h -> !h.available()).map(HostStatus::name).toList();
        if (!unavailable.isEmpty()) {
            throw new TransientFailureException("VM " + vmUuid + " is not on the hosts that answer, and host(s) "
                    + unavailable + " cannot be asked now; it may run there");
        }
        return inventory.findVm(vmUuid); // every host answers now: this "not found" is an answer
    }

    /** What QEMU reports for the disk in this VM now; empty when the VM does not run or does not use it. */
    public Optional<Long> capacityNow(String vmUuid, String diskPath) {
        return findVm(vmUuid).filter(vm -> vm.state().isActive()).flatMap(vm -> vm.diskByPath(diskPath)
                .map(disk -> hypervisor.blockInfo(vm.host(), vm.uuid(), disk.target()).capacity()));
    }
}
