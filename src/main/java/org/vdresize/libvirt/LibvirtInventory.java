package org.vdresize.libvirt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmState;

/**
 * The inventory read from libvirt now, on every configured host. Lookups by name, UUID or path
 * use libvirt's own lookups (one round trip per host), so they do not grow with the number of
 * domains or volumes; only the listings walk everything.
 *
 * <p>A host that cannot be reached is left out. When no host at all could be asked, a lookup throws
 * {@link HostUnavailableException} instead of answering "not found", which would be a guess.
 */
@Component
public class LibvirtInventory implements InventoryPort {

    private static final Logger log = LoggerFactory.getLogger(LibvirtInventory.class);
    private static final Pattern UUID = Pattern.compile(
            "\\p{XDigit}{8}-?\\p{XDigit}{4}-?\\p{XDigit}{4}-?\\p{XDigit}{4}-?\\p{XDigit}{12}");

    @FunctionalInterface
    private interface HostCall<T> {
        T call(String host, Connect connect) throws LibvirtException;
    }

    private final LibvirtHosts hosts;

    public LibvirtInventory(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public List<HostStatus> hosts() {
        return hosts.statuses();
    }

    @Override
    public List<Vm> vms() {
        return collect("list of VMs", (host, c) -> {
            List<Vm> vms = new ArrayList<>();
            Domain[] domains = c.listAllDomains(0);
            try {
                for (Domain domain : domains) {
                    try {
                        vms.add(vm(host, domain));
                    } catch (LibvirtException e) {
                        if (!LibvirtErrors.isNotFound(e)) {
                            throw e;
                        } // undefined while we listed: it is simply gone
                    }
                }
            } finally {
                Handles.free(domains);
            }
            return vms;
        });
    }

    @Override
    public List<org.vdresize.inventory.StoragePool> pools() {
        return collect("list of pools", (host, c) -> {
            List<org.vdresize.inventory.StoragePool> pools = new ArrayList<>();
            for (String name : c.listStoragePools()) {
                StoragePool pool = null;
                try {
                    pool = c.storagePoolLookupByName(name);
                    pools.add(pool(host, pool));
                } catch (LibvirtException e) {
                    if (!LibvirtErrors.isNotFound(e)) {
                        throw e;
                    }
                } finally {
                    Handles.free(pool);
                }
            }
            return pools;
        });
    }

    @Override
    public List<StorageVolume> volumes() {
        return collect("list of volumes", (host, c) -> {
            List<StorageVolume> volumes = new ArrayList<>();
            for (String poolName : c.listStoragePools()) {
                StoragePool pool = null;
                try {
                    pool = c.storagePoolLookupByName(poolName);
                    for (String volumeName : pool.listVolumes()) {
                        StorageVol volume = null;
                        try {
                            volume = pool.storageVolLookupByName(volumeName);
                            volumes.add(volume(host, poolName, volume));
                        } catch (LibvirtException e) {
                            if (!LibvirtErrors.isNotFound(e)) {
                                throw e;
                            } // deleted while we listed
                        } finally {
                            Handles.free(volume);
                        }
                    }
                } catch (LibvirtException e) {
                    if (!LibvirtErrors.isNotFound(e) && !stopped(pool)) {
                        throw e;
                    } // pool undefined or stopped while we listed ("storage pool '...' is not active")
                } finally {
                    Handles.free(pool);
                }
            }
            return volumes;
        });
    }

    @Override
    public Optional<Vm> findVm(String nameOrUuid) {
        List<Vm> found = collect("VM " + nameOrUuid, (host, c) -> {
            Domain domain = lookupDomain(c, nameOrUuid);
            if (domain == null) {
                return List.of();
            }
            try {
                return List.of(vm(host, domain));
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNotFound(e)) {
                    return List.of();
                }
                throw e;
            } finally {
                Handles.free(domain);
            }
        });
        // a VM defined on several hosts: the one where QEMU runs it is the one that counts
        return found.stream().min(Comparator.comparingInt(LibvirtInventory::preference));
    }

    @Override
    public Optional<StorageVolume> volumeByPath(String path) {
        return collect("volume " + path, (host, c) -> volumeByPath(host, c, path).stream().toList())
                .stream().findFirst();
    }

    @Override
    public Optional<org.vdresize.inventory.StoragePool> findPool(String name) {
        return collect("pool " + name, (host, c) -> {
            StoragePool pool = null;
            try {
                pool = c.storagePoolLookupByName(name);
                return pool.isActive() == 1 ? List.of(pool(host, pool)) : List.<org.vdresize.inventory.StoragePool>of();
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNotFound(e)) {
                    return List.<org.vdresize.inventory.StoragePool>of();
                }
                throw e;
            } finally {
                Handles.free(pool);
            }
        }).stream().findFirst();
    }

    /**
     * Runs the call on every host that answers and joins the answers in host order; throws only when
     * not a single host answered. A host's part is kept only when its call succeeded as a whole.
     */
    private <T> List<T> collect(String what, HostCall<List<T>> call) {
        List<T> result = new ArrayList<>();
        HostUnavailableException lastUnavailable = null;
        int answered = 0;
        for (String host : hosts.names()) {
            try {
                result.addAll(hosts.read(host, what, c -> call.call(host, c)));
                answered++;
            } catch (HostUnavailableException e) {
                log.debug("{}: host {} skipped: {}", what, host, e.getMessage());
                lastUnavailable = e;
            }
        }
        if (answered == 0 && lastUnavailable != null) {
            throw lastUnavailable;
        }
        return result;
    }

    private static int preference(Vm vm) {
        if (vm.state().isActive()) {
            return 0;
        }
        return vm.state() == VmState.SHUT_OFF ? 2 : 1;
    }

    /** By UUID when it looks like one, else (or when no such UUID) by name; null when neither exists. */
    private static Domain lookupDomain(Connect c, String nameOrUuid) throws LibvirtException {
        if (UUID.matcher(nameOrUuid).matches()) {
            try {
                return c.domainLookupByUUIDString(nameOrUuid);
            } catch (LibvirtException e) {
                if (!LibvirtErrors.isNotFound(e)) {
                    throw e;
                }
            }
        }
        try {
            return c.domainLookupByName(nameOrUuid);
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNotFound(e)) {
                return null;
            }
            throw e;
        }
    }

    private static Optional<StorageVolume> volumeByPath(String host, Connect c, String path) throws LibvirtException {
        StorageVol volume = lookupVolumeByPath(c, path);
        if (volume == null && refreshPoolOf(c, path)) {
            // a file put into a pool's directory behind libvirt's back is only known after a refresh
            volume = lookupVolumeByPath(c, path);
        }
        if (volume == null) {
            return Optional.empty();
        }
        StoragePool pool = null;
        try {
            pool = volume.storagePoolLookupByVolume();
            return Optional.of(volume(host, pool.getName(), volume));
        } finally {
            Handles.free(pool);
            Handles.free(volume);
        }
    }

    private static StorageVol lookupVolumeByPath(Connect c, String path) throws LibvirtException {
        try {
            return c.storageVolLookupByPath(path);
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNotFound(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Refreshes the active pool whose target directory holds the path; false when there is none. */
    private static boolean refreshPoolOf(Connect c, String path) throws LibvirtException {
        Path parent = Path.of(path).normalize().getParent();
        if (parent == null) {
            return false;
        }
        for (String name : c.listStoragePools()) {
            StoragePool pool = null;
            try {
                pool = c.storagePoolLookupByName(name);
                String target = LibvirtXml.pool(pool.getXMLDesc(0)).targetPath();
                if (target != null && Path.of(target).normalize().equals(parent)) {
                    pool.refresh(0);
                    return true;
                }
            } catch (LibvirtException e) {
                if (!LibvirtErrors.isNotFound(e)) {
                    throw e;
                }
            } finally {
                Handles.free(pool);
            }
        }
        return false;
    }

    /** The domain's XML and state: two or three round trips. */
    static Vm vm(String host, Domain domain) throws LibvirtException {
        LibvirtXml.DomainDescription description = LibvirtXml.domain(domain.getXMLDesc(0));
        VmState state = DomainStates.read(domain);
        return new Vm(host, description.name(), description.uuid(), state, description.disks());
    }

    /** The pool was stopped (or undefined) by someone else: its volumes are simply no longer listed. */
    private static boolean stopped(StoragePool pool) {
        if (pool == null) {
            return false;
        }
        try {
            return pool.isActive() == 0;
        } catch (LibvirtException e) {
            return LibvirtErrors.isNotFound(e);
        }
    }

    static org.vdresize.inventory.StoragePool pool(String host, StoragePool pool) throws LibvirtException {
        LibvirtXml.PoolDescription d = LibvirtXml.pool(pool.getXMLDesc(0));
        return new org.vdresize.inventory.StoragePool(host, d.name(), d.type(), d.targetPath(),
                d.capacity(), d.allocation(), d.available());
    }

    /** The volume's XML, which libvirt re-reads from the storage first (so a size QEMU changed shows). */
    static StorageVolume volume(String host, String poolName, StorageVol volume) throws LibvirtException {
        return toVolume(host, poolName, LibvirtXml.volume(volume.getXMLDesc(0)));
    }

    static StorageVolume toVolume(String host, String poolName, LibvirtXml.VolumeDescription d) {
        return new StorageVolume(host, poolName, d.name(), d.path(), d.format(), d.capacity(), d.allocation(),
                d.backingPath());
    }
}
