package org.vdresize.inventory;

/** What the resize rules need to know about a domain's state (libvirt state + reason, folded). */
public enum VmState {
    RUNNING,
    /** paused by a user or a management action: QEMU still answers, a resize is allowed */
    PAUSED,
    PAUSED_IO_ERROR,
    MIGRATING,
    STARTING,
    SHUTTING_DOWN,
    SAVING_OR_RESTORING,
    SHUT_OFF,
    CRASHED,
    UNKNOWN;

    /** A QEMU process holds the disk open: the VM step must tell it about the new size. */
    public boolean isActive() {
        return this == RUNNING || this == PAUSED;
    }

    /** States in which a resize of the VM's disk is allowed at all (oVirt's rule). */
    public boolean allowsResize() {
        return this == RUNNING || this == PAUSED || this == SHUT_OFF;
    }
}
