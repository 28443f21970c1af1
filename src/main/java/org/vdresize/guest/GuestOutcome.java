package org.vdresize.guest;

/**
 * What the guest step found in one VM.
 *
 * @param status     SEEN (the guest reports the new size), RESCANNED (after a SCSI rescan), NO_AGENT,
 *                   FAILED (the agent answered, but something did not work)
 * @param guestSize  the size the guest reports for the disk, in bytes
 * @param device     the guest's device name (vda, sdb, ...)
 * @param filesystem null unless asked to grow the filesystem
 */
public record GuestOutcome(String status, Long guestSize, String device, FilesystemGrowth filesystem, String detail) {

    public boolean failed() {
        return "NO_AGENT".equals(status) || "FAILED".equals(status)
                || (filesystem != null && "FAILED".equals(filesystem.status()));
    }

    /**
     * @param status GROWN, NOT_MOUNTED (nothing mounted on the disk), UNSUPPORTED (a filesystem type
     *               or layout that is not grown online), FAILED
     */
    public record FilesystemGrowth(String device, String type, String mountpoint, Long sizeBefore, Long sizeAfter,
                                   String status) {
    }
}
