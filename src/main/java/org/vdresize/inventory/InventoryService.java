package org.vdresize.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** The disks as users see them: pool volumes and VM disks joined by path. */
@Service
public class InventoryService {

    private final InventoryPort inventory;

    public InventoryService(InventoryPort inventory) {
        this.inventory = inventory;
    }

    /** Every disk of every VM on every host and every volume of every active pool, joined by path. */
    public List<DiskView> disks() {
        List<Vm> vms = inventory.vms();
        List<StorageVolume> volumes = inventory.volumes();
        Map<String, StoragePool> pools = new LinkedHashMap<>();
        inventory.pools().forEach(p -> pools.put(p.host() + "/" + p.name(), p));

        Map<String, List<Vm>> usersByPath = new LinkedHashMap<>();
        for (Vm vm : vms) {
            for (VmDisk disk : vm.disks()) {
                if (disk.sourcePath() != null) {
                    usersByPath.computeIfAbsent(disk.sourcePath(), p -> new ArrayList<>()).add(vm);
                }
            }
        }
        List<DiskView> disks = new ArrayList<>();
        for (StorageVolume volume : volumes) {
            StoragePool pool = pools.get(volume.host() + "/" + volume.pool());
            List<Vm> users = usersByPath.getOrDefault(volume.path(), List.of());
            disks.add(view(volume.path(), volume, pool, users, volumes));
        }
        usersByPath.forEach((path, users) -> {
            if (volumes.stream().noneMatch(v -> v.path().equals(path))) {
                disks.add(view(path, null, null, users, volumes));
            }
        });
        return disks;
    }

    public List<HostStatus> hosts() {
        return inventory.hosts();
    }

    private static DiskView view(String path, StorageVolume volume, StoragePool pool, List<Vm> users,
                                 List<StorageVolume> allVolumes) {
        List<DiskView.VmUse> uses = new ArrayList<>();
        boolean readOnly = false;
        boolean shareable = false;
        String driverType = null;
        for (Vm vm : users) {
            VmDisk disk = vm.diskByPath(path).orElseThrow();
            uses.add(new DiskView.VmUse(vm.name(), vm.host(), vm.state().name(), disk.target(), disk.bus()));
            readOnly |= disk.readOnly();
            shareable |= disk.shareable();
            driverType = driverType == null ? disk.driverType() : driverType;
        }
        Optional<DiskChecks.Problem> problem = DiskChecks.whyNotResizable(path, volume, pool, users, allVolumes);
        boolean preallocated = volume != null && "raw".equals(volume.format()) && volume.preallocated();
        return new DiskView(path, volume == null ? null : volume.pool(), volume == null ? null : volume.name(),
                volume != null ? volume.host() : users.isEmpty() ? null : users.get(0).host(),
                volume != null ? volume.format() : driverType,
                volume == null ? null : volume.capacity(), volume == null ? null : volume.allocation(),
                preallocated, readOnly, shareable, uses, problem.isEmpty(),
                problem.map(DiskChecks.Problem::code).orElse(null), problem.map(DiskChecks.Problem::message).orElse(null));
    }
}
