package org.vdresize.inventory;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules that make a disk impossible to grow, whatever size is asked. Shared by the resize's
 * validation and the inventory's {@code resizable} flag so that both always agree.
 */
public final class DiskChecks {

    /** The contract's error codes these rules answer with (the names are the codes). */
    public enum Code {
        VM_STATE, READ_ONLY_DISK, UNSUPPORTED_DISK
    }

    /** A reason, with the contract's error code. */
    public record Problem(Code code, String message) {
    }

    static final Set<String> GROWABLE_FORMATS = Set.of("raw", "qcow2");
    /** pool types whose volumes virStorageVolResize can grow (logical = lvextend) */
    static final Set<String> GROWABLE_POOLS = Set.of("dir", "fs", "netfs", "logical");

    private DiskChecks() {
    }

    /**
     * @param volume      the pool volume with this path, or null
     * @param pool        that volume's pool, or null
     * @param users       every VM that has a disk with this path
     * @param allVolumes  every volume of every active pool, or at least every one whose backing store is
     *                    this path (to find images this one is the backing file of)
     */
    public static Optional<Problem> whyNotResizable(String path, StorageVolume volume, StoragePool pool, List<Vm> users,
                                                    List<StorageVolume> allVolumes) {
        for (Vm vm : users) {
            VmDisk disk = vm.diskByPath(path).orElseThrow();
            if (disk.isCdromOrFloppy()) {
                return problem(Code.UNSUPPORTED_DISK, path + " is a " + disk.device() + " of VM " + vm.name());
            }
            if (disk.readOnly()) {
                return problem(Code.READ_ONLY_DISK, path + " is attached read-only to VM " + vm.name());
            }
            if (!vm.state().allowsResize()) {
                return problem(Code.VM_STATE, "VM " + vm.name() + " is " + vm.state()
                        + "; a resize needs it running, paused by a user, or shut off");
            }
        }
        if (allVolumes.stream().anyMatch(v -> path.equals(v.backingPath()))) {
            return problem(Code.UNSUPPORTED_DISK, path + " is the backing file of another image; only the active (leaf) image is grown");
        }
        boolean heldByQemu = users.stream().anyMatch(vm -> vm.state().isActive());
        if (volume == null && !heldByQemu) {
            return problem(Code.UNSUPPORTED_DISK, path + " is in no active storage pool and no running VM uses it: nothing could grow it");
        }
        String format = volume != null ? volume.format()
                : users.get(0).diskByPath(path).map(VmDisk::driverType).orElse(null);
        if (format == null || !GROWABLE_FORMATS.contains(format)) {
            return problem(Code.UNSUPPORTED_DISK, path + " has format " + format + "; only raw and qcow2 can be grown");
        }
        if (pool != null && !GROWABLE_POOLS.contains(pool.type())) {
            return problem(Code.UNSUPPORTED_DISK, "volumes of " + pool.type() + " pools cannot be grown");
        }
        return Optional.empty();
    }

    private static Optional<Problem> problem(Code code, String message) {
        return Optional.of(new Problem(code, message));
    }
}
