package org.vdresize.vm;

/**
 * Where one VM stands in a resize (vdr_resize_vm.status and the API's {@code vms[].status}; the
 * names are the stored and shown strings).
 */
public enum VmDiskStatus {
    /** runs with the disk; its step has not run yet */
    PENDING,
    /** QEMU reports the new capacity */
    RESIZED,
    /** shut off: it sees the new size at its next start */
    NOT_RUNNING,
    /** no longer defined on any host */
    GONE,
    /** no longer uses the disk */
    DETACHED,
    /** QEMU refused the resize for good */
    FAILED,
    /** the resize was rolled back before this VM's step */
    UNCHANGED;

    /** Whether the guest may be told: only a VM whose QEMU took the new size. */
    public boolean sawNewSize() {
        return this == RESIZED;
    }

    /** A VM the resize meant to grow online and did not: it sees the new size after a restart. */
    public boolean missedNewSize() {
        return this == FAILED || this == PENDING;
    }
}
