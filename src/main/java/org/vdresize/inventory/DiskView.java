package org.vdresize.inventory;

import java.util.List;

/**
 * A disk as GET /api/disks shows it: a storage volume and/or a VM disk, joined by path.
 *
 * @param notResizableBecause a contract error code (READ_ONLY_DISK, UNSUPPORTED_DISK, VM_STATE, ...) or null
 */
public record DiskView(String path, String pool, String volume, String host, String format, Long capacity,
                       Long allocation, boolean preallocated, boolean readOnly, boolean shareable,
                       List<VmUse> vms, boolean resizable, String notResizableBecause, String detail) {

    public record VmUse(String name, String host, String state, String target, String bus) {
    }
}
