package org.vdresize.resize;

import static org.vdresize.resize.RejectionCode.DISK_BUSY;
import static org.vdresize.resize.RejectionCode.INSUFFICIENT_SPACE;
import static org.vdresize.resize.RejectionCode.SHRINK_NOT_SUPPORTED;
import static org.vdresize.resize.RejectionCode.SIZE_LIMIT;
import static org.vdresize.resize.RejectionCode.UNKNOWN_DISK;
import static org.vdresize.resize.RejectionCode.UNKNOWN_POOL;
import static org.vdresize.resize.RejectionCode.UNKNOWN_VM;
import static org.vdresize.resize.RejectionCode.UNSUPPORTED_DISK;

import java.util.List;
import java.util.Optional;
import org.vdresize.common.NotFoundException;
import org.vdresize.inventory.DiskChecks;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StoragePool;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.lock.DiskLockService;
import org.vdresize.resize.ValidatedResize.VmUse;
import org.vdresize.storage.StoragePort;
import org.vdresize.vm.HypervisorPort;
import org.springframework.stereotype.Component;

/**
 * Every rule of docs/resize-process.md that can be checked before anything changes. Reads only: a rejected
 * request touches no volume, VM or lock.
 */
@Component
public class ResizeRules {

    private final InventoryPort inventory;
    private final StoragePort storage;
    private final HypervisorPort hypervisor;
    private final DiskLockService locks;
    private final ResizeLimits limits;
    private final ApprovalSettings approval;

    public ResizeRules(InventoryPort inventory, StoragePort storage, HypervisorPort hypervisor,
                       DiskLockService locks, ResizeLimits limits, ApprovalSettings approval) {
        this.inventory = inventory;
        this.storage = storage;
        this.hypervisor = hypervisor;
        this.locks = locks;
        this.limits = limits;
        this.approval = approval;
    }

    public ValidatedResize validate(ResizeRequest request) {
        RequestFields.checkShape(request);
        SizeSpec size = SizeSpec.parse(request.size());
        String path = resolvePath(request);
        try {
            return validate(request, size, path);
        } catch (ResizeRejectedException e) {
            // a disk named by vm+target or pool+volume is filed under its path in the audit trail
            throw e.about(path);
        }
    }

    private ValidatedResize validate(ResizeRequest request, SizeSpec size, String path) {
        Optional<StorageVolume> volume = inventory.volumeByPath(path);
        // lookups of this path only: reading every volume of every pool made validation grow with the
        // fleet (20 VMs x 10 disks: 11 -> 105 ms)
        List<Vm> users = inventory.vmsUsing(path);
        Optional<StoragePool> pool = volume.flatMap(v -> inventory.findPool(v.pool()));
        DiskChecks.whyNotResizable(path, volume.orElse(null), pool.orElse(null), users, inventory.volumesBackedBy(path))
                .ifPresent(p -> {
                    throw reject(RejectionCode.of(p.code()), p.message());
                });
        List<VmUse> uses = users.stream().map(vm -> new VmUse(vm.uuid(), vm.name(), vm.host(),
                vm.diskByPath(path).orElseThrow().target(), vm.state(), vm.guestAgentChannel())).toList();
        Optional<VmUse> active = uses.stream().filter(u -> u.state().isActive()).findFirst();
        String format = volume.map(StorageVolume::format)
                .orElseGet(() -> users.get(0).diskByPath(path).orElseThrow().driverType());

        long current = active.map(u -> hypervisor.blockInfo(u.host(), u.uuid(), u.target()).capacity())
                .orElseGet(() -> volume.orElseThrow().capacity());
        long target = size.targetBytes(current);
        boolean preallocated = volume.map(v -> "raw".equals(v.format()) && v.preallocated()).orElse(false);
        ValidatedResize resize = new ValidatedResize(path, volume.map(StorageVolume::host).orElse(null),
                volume.map(StorageVolume::pool).orElse(null), volume.map(StorageVolume::name).orElse(null),
                format, preallocated, current, target, size.text(), target == current, approval.needed(current, target), uses);
        if (target < current) {
            throw reject(SHRINK_NOT_SUPPORTED, "the target " + target + " B is smaller than the current capacity "
                    + current + " B; shrinking could destroy guest data");
        }
        if (resize.noop()) {
            return resize;
        }
        if (target > limits.maxDiskSize()) {
            throw reject(SIZE_LIMIT, "the target " + target + " B is above the maximum disk size " + limits.maxDiskSize() + " B");
        }
        locks.activeHolder(path).ifPresent(holder -> {
            throw reject(DISK_BUSY, "resize " + holder + " of " + path + " is in progress");
        });
        checkNoBlockJob(uses);
        pool.ifPresent(p -> checkSpace(p, resize, volume.get()));
        return resize;
    }

    /**
     * QEMU refuses a block resize while a copy, commit, pull or backup runs on the disk, and would go on
     * refusing through every retry: every running VM that has the disk (a shared one too) is asked.
     */
    private void checkNoBlockJob(List<VmUse> uses) {
        for (VmUse use : uses) {
            if (use.state().isActive()) {
                hypervisor.blockJob(use.host(), use.uuid(), use.target()).ifPresent(job -> {
                    throw reject(DISK_BUSY, job.describe(use.name(), use.target())
                            + "; QEMU refuses a resize until it ends: wait for it, or abort it (virsh blockjob "
                            + use.name() + " " + use.target() + " --abort)");
                });
            }
        }
    }

    private void checkSpace(StoragePool pool, ValidatedResize resize, StorageVolume volume) {
        if (pool.capacity() <= 0) {
            return; // the file system reports no size (ramfs): there is nothing to check against
        }
        long growth = resize.newSize() - resize.oldSize();
        if (resize.preallocated()) {
            if (growth > pool.available()) {
                throw reject(INSUFFICIENT_SPACE, "pool " + pool.name() + " has " + pool.available()
                        + " B free; the preallocated growth needs " + growth + " B");
            }
            return;
        }
        double ratio = limits.thinOvercommitRatio();
        if (ratio > 0) {
            long committed = inventory.volumes().stream().filter(v -> v.host().equals(pool.host()) && v.pool().equals(pool.name()))
                    .mapToLong(StorageVolume::capacity).sum();
            if (committed + growth > ratio * pool.capacity()) {
                throw reject(INSUFFICIENT_SPACE, "pool " + pool.name() + " would be committed " + (committed + growth)
                        + " B, above " + ratio + " x its capacity " + pool.capacity() + " B");
            }
        }
    }

    private String resolvePath(ResizeRequest request) {
        if (request.vm() != null) {
            Vm vm = inventory.findVm(request.vm())
                    .orElseThrow(() -> reject(UNKNOWN_VM, "no VM named " + request.vm() + " on any available host"));
            VmDisk disk = vm.diskByTarget(request.target())
                    .orElseThrow(() -> reject(UNKNOWN_DISK, "VM " + vm.name() + " has no disk " + request.target()));
            if (disk.sourcePath() == null) {
                throw reject(UNSUPPORTED_DISK, "disk " + request.target() + " of VM " + vm.name() + " has no file or block source");
            }
            return disk.sourcePath();
        }
        if (request.pool() != null) {
            StoragePool pool = inventory.findPool(request.pool())
                    .orElseThrow(() -> reject(UNKNOWN_POOL, "no active storage pool named " + request.pool()));
            try {
                return storage.volume(pool.host(), pool.name(), request.volume()).path();
            } catch (NotFoundException e) {
                throw reject(UNKNOWN_DISK, "pool " + pool.name() + " has no volume " + request.volume());
            }
        }
        String path = request.path();
        boolean known = inventory.volumeByPath(path).isPresent() || !inventory.vmsUsing(path).isEmpty();
        if (!known) {
            throw reject(UNKNOWN_DISK, "no storage volume and no VM disk has the path " + path);
        }
        return path;
    }

    private static ResizeRejectedException reject(RejectionCode code, String message) {
        return new ResizeRejectedException(code, message);
    }
}
