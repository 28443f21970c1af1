package org.vdresize.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;

/** The disks as users see them: pool volumes and VM disks joined by path. */
@Service
public class InventoryService {

    private final InventoryPort inventory;

    public InventoryService(InventoryPort inventory) {
        this.inventory = inventory;
    }

    /**
     * Every disk of every VM on every host and every volume of every active pool, joined by path. The
     * disks that a host which cannot be asked now served when it last answered are listed too, as not
     * resizable ({@value #UNAVAILABLE}): an unreachable host degrades only the disks it serves.
     */
    public List<DiskView> disks() {
        List<Vm> vms = inventory.vms();
        List<StorageVolume> volumes = inventory.volumes();
        Map<String, StoragePool> pools = new LinkedHashMap<>();
        inventory.pools().forEach(p -> pools.put(p.host() + "/" + p.name(), p));
        List<DiskView> disks = liveDisks(vms, volumes, pools);
        List<UnreachableHost> unreachable = inventory.unreachableHosts();
        return unreachable.isEmpty() ? disks : withUnreachable(disks, unreachable);
    }

    /** The code of a disk that a host which cannot be asked now serves (the API's 503 code). */
    public static final String UNAVAILABLE = "UNAVAILABLE";

    private static List<DiskView> withUnreachable(List<DiskView> live, List<UnreachableHost> unreachable) {
        Map<String, DiskView> byPath = new LinkedHashMap<>();
        live.forEach(d -> byPath.put(d.path(), d));
        for (UnreachableHost host : unreachable) {
            String why = "host " + host.name() + " cannot be asked now" + (host.error() == null ? "" : " (" + host.error() + ")")
                    + "; as it was when last seen";
            Map<String, List<Vm>> users = new LinkedHashMap<>();
            for (Vm vm : host.lastKnownVms()) {
                for (VmDisk disk : vm.disks()) {
                    if (disk.sourcePath() != null) {
                        users.computeIfAbsent(disk.sourcePath(), p -> new ArrayList<>()).add(vm);
                    }
                }
            }
            Map<String, StorageVolume> volumes = new LinkedHashMap<>();
            host.lastKnownVolumes().forEach(v -> volumes.put(v.path(), v));
            Set<String> paths = new LinkedHashSet<>(volumes.keySet());
            paths.addAll(users.keySet());
            for (String path : paths) {
                DiskView known = byPath.get(path);
                List<Vm> vmsThere = users.getOrDefault(path, List.of());
                if (known != null && vmsThere.isEmpty()) {
                    continue; // a volume of shared storage that another host serves: not degraded
                }
                byPath.put(path, unavailable(path, known, volumes.get(path), vmsThere, host.name(), why));
            }
        }
        return new ArrayList<>(byPath.values());
    }

    /** The disk as last seen, with the VMs of the unreachable host added to those seen live; not resizable. */
    private static DiskView unavailable(String path, DiskView live, StorageVolume volume, List<Vm> users, String host, String why) {
        List<DiskView.VmUse> uses = new ArrayList<>(live == null ? List.of() : live.vms());
        boolean readOnly = live != null && live.readOnly();
        boolean shareable = live != null && live.shareable();
        String format = live != null ? live.format() : volume != null ? volume.format() : null;
        for (Vm vm : users) {
            VmDisk disk = vm.diskByPath(path).orElseThrow();
            uses.add(new DiskView.VmUse(vm.name(), vm.host(), "UNKNOWN", disk.target(), disk.bus()));
            readOnly |= disk.readOnly();
            shareable |= disk.shareable();
            format = format == null ? disk.driverType() : format;
        }
        if (live != null) {
            return new DiskView(path, live.pool(), live.volume(), live.host(), format, live.capacity(), live.allocation(),
                    live.preallocated(), readOnly, shareable, uses, false, UNAVAILABLE, why);
        }
        boolean preallocated = volume != null && "raw".equals(volume.format()) && volume.preallocated();
        return new DiskView(path, volume == null ? null : volume.pool(), volume == null ? null : volume.name(), host, format,
                volume == null ? null : volume.capacity(), volume == null ? null : volume.allocation(), preallocated,
                readOnly, shareable, uses, false, UNAVAILABLE, why);
    }

    private static List<DiskView> liveDisks(List<Vm> vms, List<StorageVolume> volumes, Map<String, StoragePool> pools) {

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
