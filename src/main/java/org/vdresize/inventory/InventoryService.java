package org.vdresize.inventory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.springframework.stereotype.Service;
import org.vdresize.common.Page;

/** The disks as users see them: pool volumes and VM disks joined by path. */
@Service
public class InventoryService {

    private final InventoryPort inventory;

    public InventoryService(InventoryPort inventory) {
        this.inventory = inventory;
    }

    /**
     * One page of the disks of every VM on every host and the volumes of every active pool, joined by
     * path, in the order of their paths (a disk's identity in the API; unlike its host or VMs it does
     * not change while the disk exists), starting after {@code afterPath} (null: from the first).
     * The listings are read anew for every page and only the page's entries are built, so a page costs
     * the listings plus {@code limit} entries, whatever the inventory holds.
     *
     * <p>The disks that a host which cannot be asked now served when it last answered are listed too,
     * as not resizable ({@value #UNAVAILABLE}): an unreachable host degrades only the disks it serves.
     */
    public Page<DiskView, String> disks(String afterPath, int limit) {
        Map<String, StorageVolume> volumes = new HashMap<>();
        List<StorageVolume> allVolumes = inventory.volumes();
        allVolumes.forEach(v -> volumes.putIfAbsent(v.path(), v));
        Map<String, List<Vm>> users = usersByPath(inventory.vms());
        List<UnreachableHost> unreachable = inventory.unreachableHosts();

        NavigableSet<String> paths = new TreeSet<>();
        volumes.keySet().stream().filter(Objects::nonNull).forEach(paths::add);
        paths.addAll(users.keySet());
        for (UnreachableHost host : unreachable) {
            host.lastKnownVolumes().stream().map(StorageVolume::path).filter(Objects::nonNull).forEach(paths::add);
            paths.addAll(usersByPath(host.lastKnownVms()).keySet());
        }
        List<String> page = (afterPath == null ? paths : paths.tailSet(afterPath, false)).stream().limit(limit + 1L).toList();

        Map<String, StoragePool> pools = new HashMap<>();
        if (!page.isEmpty()) {
            inventory.pools().forEach(p -> pools.put(p.host() + "/" + p.name(), p));
        }
        List<DiskView> disks = new ArrayList<>();
        for (String path : page) {
            StorageVolume volume = volumes.get(path);
            List<Vm> vms = users.getOrDefault(path, List.of());
            DiskView disk = volume == null && vms.isEmpty() ? null
                    : view(path, volume, volume == null ? null : pools.get(volume.host() + "/" + volume.pool()), vms, allVolumes);
            for (UnreachableHost host : unreachable) {
                disk = withUnreachable(path, disk, host);
            }
            disks.add(disk);
        }
        return Page.of(disks, limit, DiskView::path);
    }

    /** The code of a disk that a host which cannot be asked now serves (the API's 503 code). */
    public static final String UNAVAILABLE = "UNAVAILABLE";

    private static Map<String, List<Vm>> usersByPath(List<Vm> vms) {
        Map<String, List<Vm>> users = new LinkedHashMap<>();
        for (Vm vm : vms) {
            for (VmDisk disk : vm.disks()) {
                if (disk.sourcePath() != null) {
                    users.computeIfAbsent(disk.sourcePath(), p -> new ArrayList<>()).add(vm);
                }
            }
        }
        return users;
    }

    /** The disk at this path as an unreachable host changes it: unchanged when that host had nothing to do with it. */
    private static DiskView withUnreachable(String path, DiskView known, UnreachableHost host) {
        List<Vm> vmsThere = host.lastKnownVms().stream().filter(vm -> vm.diskByPath(path).isPresent()).toList();
        StorageVolume volume = host.lastKnownVolumes().stream().filter(v -> path.equals(v.path())).findFirst().orElse(null);
        if (vmsThere.isEmpty() && (volume == null || known != null)) {
            return known;  // not this host's, or a volume of shared storage that another host serves: not degraded
        }
        String why = "host " + host.name() + " cannot be asked now" + (host.error() == null ? "" : " (" + host.error() + ")")
                + "; as it was when last seen";
        return unavailable(path, known, volume, vmsThere, host.name(), why);
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
                problem.map(p -> p.code().name()).orElse(null), problem.map(DiskChecks.Problem::message).orElse(null));
    }
}
