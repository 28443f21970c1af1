package org.vdresize.guest;

/**
 * A filesystem the guest has mounted on a disk, as guest-get-fsinfo reports it.
 *
 * @param device     the guest's block device it is on (/dev/vda, /dev/sda1)
 * @param mountpoint where the guest mounted it
 * @param type       ext4, xfs, ...
 */
public record GuestFilesystem(String device, String mountpoint, String type, long totalBytes, long usedBytes) {

    public long freeBytes() {
        return Math.max(0, totalBytes - usedBytes);
    }

    /** used / total in percent; 100 for a filesystem that reports no size */
    public double usedPercent() {
        return totalBytes <= 0 ? 100.0 : 100.0 * usedBytes / totalBytes;
    }
}
