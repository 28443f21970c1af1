package org.vdresize.vm;

/**
 * What the VM step did for one VM.
 *
 * @param status   RESIZED, NOT_RUNNING, GONE or DETACHED (see {@link VmDiskStatus})
 * @param host     where the VM was found at the time of the step
 * @param capacity what QEMU reports after the step, null when no QEMU holds the disk
 */
public record VmDiskOutcome(VmDiskStatus status, String host, String vmName, Long capacity, String detail) {

    public boolean guestSawNewSize() {
        return status.sawNewSize();
    }
}
