package org.vdresize.inventory;

import java.util.List;
import java.util.Optional;

/**
 * What the hypervisors hold, read from every configured host. An unreachable host is left out of
 * the lists (and shows as unavailable in {@link #hosts()}); it never fails the whole call.
 */
public interface InventoryPort {

    List<HostStatus> hosts();

    /** Every domain (running or not) of every available host. */
    List<Vm> vms();

    /** Every active storage pool of every available host. */
    List<StoragePool> pools();

    /** Every volume of every active storage pool of every available host. */
    List<StorageVolume> volumes();

    /**
     * A domain by name or UUID, looked up now on every available host (the host it runs on now).
     * Throws a {@link org.vdresize.common.TransientFailureException} rather than answering empty when
     * a host that could hold it cannot be asked.
     */
    Optional<Vm> findVm(String nameOrUuid);

    /** The volume whose path is this path, refreshed from its pool now; empty when no pool holds it. */
    Optional<StorageVolume> volumeByPath(String path);

    Optional<StoragePool> findPool(String name);

    /**
     * Every domain of every available host with a disk whose source is this path, as {@link #vms()}
     * lists it. Implementations may answer without reading the domains that do not use it.
     */
    default List<Vm> vmsUsing(String path) {
        return vms().stream().filter(vm -> vm.diskByPath(path).isPresent()).toList();
    }

    /**
     * The volumes of active pools whose backing store is this path (the images this one is the
     * backing file of). Only their identity and backing path are meant to be used: an implementation
     * may answer from descriptions it has not re-read since the image file last changed.
     */
    default List<StorageVolume> volumesBackedBy(String path) {
        return volumes().stream().filter(v -> path.equals(v.backingPath())).toList();
    }

    /**
     * The configured hosts that cannot be asked now, each with the VMs and volumes it had when it last
     * answered (empty when it never did since this application started).
     */
    default List<UnreachableHost> unreachableHosts() {
        return List.of();
    }
}
