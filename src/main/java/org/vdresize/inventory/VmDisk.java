package org.vdresize.inventory;

/**
 * One disk of a domain, as its XML describes it.
 *
 * @param target     libvirt target dev (vda, sdb, ...)
 * @param bus        virtio, scsi, sata, ide, ...
 * @param device     disk, cdrom, floppy or lun
 * @param sourcePath file or block device path; null for network or empty disks
 * @param driverType qcow2, raw, ... (driver type attribute)
 * @param serial     the disk's serial, null when none is set
 */
public record VmDisk(String target, String bus, String device, String sourcePath, String driverType,
                     boolean readOnly, boolean shareable, String serial) {

    public boolean isCdromOrFloppy() {
        return "cdrom".equals(device) || "floppy".equals(device);
    }
}
