package org.vdresize.inventory;

import java.util.List;
import java.util.Optional;

/** A domain on one libvirt host, with its disks. */
public record Vm(String host, String name, String uuid, VmState state, List<VmDisk> disks) {

    public Vm {
        disks = List.copyOf(disks);
    }

    public Optional<VmDisk> diskByTarget(String target) {
        return disks.stream().filter(d -> d.target().equals(target)).findFirst();
    }

    public Optional<VmDisk> diskByPath(String path) {
        return disks.stream().filter(d -> path.equals(d.sourcePath())).findFirst();
    }
}
