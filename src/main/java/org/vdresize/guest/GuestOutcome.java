package org.vdresize.guest;

/**
 * What the guest step found in one VM.
 *
 * @param guestSize  the size the guest reports for the disk, in bytes
 * @param device     the guest's device name (vda, sdb, ...)
 * @param filesystem null unless asked to grow the filesystem
 */
public record GuestOutcome(GuestStatus status, Long guestSize, String device, FilesystemGrowth filesystem, String detail) {

    /** A VM whose domain has no guest agent channel: no agent can answer, so nothing was asked. */
    public static GuestOutcome noAgentChannel(String vmName) {
        return new GuestOutcome(GuestStatus.NO_AGENT, null, null, null, "the domain of VM " + vmName
                + " has no guest agent channel (org.qemu.guest_agent.0): its guest was not asked");
    }

    public boolean failed() {
        return status == GuestStatus.NO_AGENT || status == GuestStatus.FAILED
                || (filesystem != null && filesystem.status() == FilesystemStatus.FAILED);
    }

    /** Whether the filesystem on the disk grew. */
    public boolean filesystemGrown() {
        return filesystem != null && filesystem.status() == FilesystemStatus.GROWN;
    }

    public record FilesystemGrowth(String device, String type, String mountpoint, Long sizeBefore, Long sizeAfter,
                                   FilesystemStatus status) {
    }
}
