package org.vdresize.guest;

import java.util.List;

/**
 * What the guest shows of one libvirt disk: its device, the size the guest sees and the
 * filesystems mounted on the disk or its partitions (empty when nothing is mounted).
 */
public record GuestDiskUsage(String device, long guestSize, List<GuestFilesystem> filesystems) {

    public GuestDiskUsage {
        filesystems = List.copyOf(filesystems);
    }
}
