package org.vdresize.vm;

/**
 * What the VM step did for one VM.
 *
 * @param status   RESIZED (QEMU reports the new capacity), NOT_RUNNING (shut off: it sees the new
 *                 size at its next start), GONE (no longer defined), DETACHED (no longer uses the disk)
 * @param host     where the VM was found at the time of the step
 * @param capacity what QEMU reports after the step, null when no QEMU holds the disk
 */
public record VmDiskOutcome(String status, String host, String vmName, Long capacity, String detail) {

    public boolean guestSawNewSize() {
        return "RESIZED".equals(status);
    }
}
