package org.vdresize.inventory;

import java.util.List;
import java.util.Optional;

/**
 * A domain on one libvirt host, with its disks.
 *
 * @param guestAgentChannel the domain has the guest agent's channel (org.qemu.guest_agent.0): without
 *                          it no agent can answer, so the guest step is not tried
 */
public record Vm(String host, String name, String uuid, VmState state, List<VmDisk> disks, boolean guestAgentChannel) {

    public Vm {
        disks = List.copyOf(disks);
    }

    /** A domain whose devices besides its disks are not known: it may have an agent, and the guest step asks it. */
    public Vm(String host, String name, String uuid, VmState state, List<VmDisk> disks) {
        this(host, name, uuid, state, disks, true);
    }

    public Optional<VmDisk> diskByTarget(String target) {
        return disks.stream().filter(d -> d.target().equals(target)).findFirst();
    }

    public Optional<VmDisk> diskByPath(String path) {
        return disks.stream().filter(d -> path.equals(d.sourcePath())).findFirst();
    }
}
