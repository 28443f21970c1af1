package org.vdresize.resize;

import java.util.List;
import org.vdresize.inventory.VmState;

/**
 * A request that passed every rule, resolved to one disk and an absolute target size.
 *
 * @param host    the host whose storage pool holds the disk (null when no pool holds it)
 * @param oldSize the capacity before the resize, as QEMU reports it when a VM runs, else the volume's
 * @param newSize the absolute target, rounded up to 1 MiB (fixed here so a retried step never grows twice)
 * @param approvalNeeded the growth is above an approval threshold
 * @param vms     every VM that uses the disk, in any state
 */
public record ValidatedResize(String diskPath, String host, String pool, String volume, String format,
                              boolean preallocated, long oldSize, long newSize, String requestedSize,
                              boolean noop, boolean approvalNeeded, List<VmUse> vms) {

    public ValidatedResize {
        vms = List.copyOf(vms);
    }

    /** @param guestAgentChannel the domain has a guest agent channel: without one its guest is not asked (NO_AGENT) */
    public record VmUse(String uuid, String name, String host, String target, VmState state, boolean guestAgentChannel) {
    }
}
