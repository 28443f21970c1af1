package org.vdresize.inventory;

import java.util.List;

/**
 * A configured host that cannot be asked now, with what it served when it last answered: its disks
 * are shown as not resizable (UNAVAILABLE) instead of vanishing from the inventory.
 */
public record UnreachableHost(String name, String error, List<Vm> lastKnownVms, List<StorageVolume> lastKnownVolumes) {

    public UnreachableHost {
        lastKnownVms = List.copyOf(lastKnownVms);
        lastKnownVolumes = List.copyOf(lastKnownVolumes);
    }
}
