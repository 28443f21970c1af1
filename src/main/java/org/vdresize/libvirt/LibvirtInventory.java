package org.vdresize.libvirt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
import org.vdresize.common.TransientFailureException;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.UnreachableHost;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmState;

/**
 * The inventory read from libvirt on every configured host. Lookups by name, UUID or path use
 * libvirt's own lookups now (one round trip per host), so they do not grow with the number of
 * domains or volumes. The list of VMs comes from a {@link DomainCache} kept fresh by domain events;
 * the pools and volumes are listed live.
 *
 * <p>A host that cannot be reached (or is too busy to answer now) is left out, of listings and of
 * lookups alike. So is a host that is the same libvirtd as a host configured before it
 * ({@link DuplicateHostException}): what it holds is that first host's, listed and found there once;
 * unlike an unreachable host, it never makes "not found" uncertain nor a disk unavailable. When not a single host could be asked, the call throws
 * {@link HostUnavailableException} (or another transient failure) instead of answering "nothing",
 * which would be a guess.
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
    private final DomainCache domains = new DomainCache();
    private final BackingIndex backing = new BackingIndex();
    /** Each host's VMs and volumes as it last listed them: what an unreachable host serves. */
    private final Map<String, List<Vm>> lastKnownVms = new ConcurrentHashMap<>();
    private final Map<String, List<StorageVolume>> lastKnownVolumes = new ConcurrentHashMap<>();

    public LibvirtInventory(LibvirtHosts hosts) {
        this.hosts = hosts;
        hosts.addConnectionListener(domains);
    }

    @Override
    public List<HostStatus> hosts() {
        return hosts.statuses();
    }

    /** From the event-driven cache: only domains that changed since the last call are read again. */
    @Override
    public List<Vm> vms() {
        return collect("list of VMs", domains::vms, lastKnownVms).found();
    }

    /** How many domains the VM list had to read from libvirt so far (for tests and diagnostics). */
    long domainReads() {
        return domains.domainReads();
    }

    /** How many volume descriptions the backing lookups had to read from libvirt so far (tests). */
    long backingVolumeReads() {
        return backing.volumeReads();
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

    /**
     * A volume of a pool that several hosts see (shared storage) is listed once, from the host that
     * would resize it (its pool's owner, see {@link #volumeByPath(String)}).
     */
    @Override
    public List<StorageVolume> volumes() {
        return onePerPath(allVolumes());
    }

    /** One volume per path: the one from the host that owns its pool. */
    private List<StorageVolume> onePerPath(List<StorageVolume> all) {
        Map<String, StorageVolume> byPath = new LinkedHashMap<>();
        for (StorageVolume v : all) {
            byPath.merge(v.path() == null ? v.host() + "/" + v.pool() + "/" + v.name() : v.path(), v,
                    (kept, other) -> hosts.ownership(other.host(), other.pool()) < hosts.ownership(kept.host(), kept.pool()) ? other : kept);
        }
        return List.copyOf(byPath.values());
    }

    private List<StorageVolume> allVolumes() {
        return collect("list of volumes", (HostCall<List<StorageVolume>>) (host, c) -> {
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
        }, lastKnownVolumes).found();
    }

    /**
     * The cached listing ({@link #vms()}) says cheaply which domains use the path; those few are then
     * read now, since their state decides the resize and a domain's event may still be on its way (a
     * VM started a moment before the request was seen shut off: FaultInjectionIT).
     */
    @Override
    public List<Vm> vmsUsing(String path) {
        List<Vm> users = new ArrayList<>();
        for (Vm cached : vms()) {
            if (cached.diskByPath(path).isEmpty()) {
                continue;
            }
            Optional<Vm> now;
            try {
                now = readVm(cached.host(), cached.uuid());
            } catch (TransientFailureException e) {
                now = Optional.of(cached); // the host stopped answering since: what it served last
            }
            now.filter(vm -> vm.diskByPath(path).isPresent()).ifPresent(users::add);
        }
        return users;
    }

    /** One domain of one host, read now; empty when it is gone. */
    private Optional<Vm> readVm(String host, String uuid) {
        return hosts.read(host, "VM " + uuid, c -> {
            Domain domain = lookupDomain(c, uuid);
            if (domain == null) {
                return Optional.<Vm>empty();
            }
            try {
                return Optional.of(vm(host, domain));
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNotFound(e)) {
                    return Optional.<Vm>empty();
                }
                throw e;
            } finally {
                Handles.free(domain);
            }
        });
    }

    /** See {@link BackingIndex}: the descriptions of unchanged image files are not read again. */
    @Override
    public List<StorageVolume> volumesBackedBy(String path) {
        return onePerPath(collect("images backed by " + path,
                (host, c) -> backing.volumesBackedBy(host, hosts.isLocal(host), c, path)));
    }

    /**
     * On every host; the one where QEMU runs it wins. Not found on the hosts that answer while another
     * cannot be asked: {@link HostUnavailableException} (it may be there), not "no such VM".
     */
    @Override
    public Optional<Vm> findVm(String nameOrUuid) {
        Collected<Vm> found = collect("VM " + nameOrUuid, (HostCall<List<Vm>>) (host, c) -> {
            Domain domain = lookupDomain(c, nameOrUuid);
            if (domain == null) {
                forgetLastKnown(host, nameOrUuid);
                return List.of();
            }
            try {
                Vm vm = vm(host, domain);
                rememberLastKnown(host, vm);
                return List.of(vm);
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNotFound(e)) {
                    forgetLastKnown(host, nameOrUuid);
                    return List.of();
                }
                throw e;
            } finally {
                Handles.free(domain);
            }
        }, null);
        // a VM defined on several hosts: the one where QEMU runs it is the one that counts
        return found.bestOrUnavailable(Comparator.comparingInt(LibvirtInventory::preference));
    }

    /**
     * What a host served when it last answered is also kept up to date by the lookups of one VM: the
     * steps read a VM live instead of listing every VM, and a VM that moved to a host since its last
     * listing must still be shown as that host's when the host goes down.
     */
    private void rememberLastKnown(String host, Vm vm) {
        lastKnownVms.computeIfPresent(host, (h, known) -> {
            List<Vm> updated = new ArrayList<>(known.stream().filter(v -> !v.uuid().equals(vm.uuid())).toList());
            updated.add(vm);
            return List.copyOf(updated);
        });
    }

    private void forgetLastKnown(String host, String nameOrUuid) {
        lastKnownVms.computeIfPresent(host, (h, known) -> known.stream()
                .filter(v -> !v.uuid().equalsIgnoreCase(nameOrUuid) && !v.name().equals(nameOrUuid)).toList());
    }

    @Override
    public Optional<StorageVolume> volumeByPath(String path) {
        // a pool seen by several hosts (shared storage): the host that owns it is the one to resize it
        return collect("volume " + path, (host, c) -> volumeByPath(host, c, path).stream().toList())
                .stream().min(Comparator.comparingInt(v -> hosts.ownership(v.host(), v.pool())));
    }

    /** Not found on the hosts that answer while another cannot be asked: {@link HostUnavailableException}. */
    @Override
    public Optional<org.vdresize.inventory.StoragePool> findPool(String name) {
        return collect("pool " + name, (HostCall<List<org.vdresize.inventory.StoragePool>>) (host, c) -> {
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
        }, null).bestOrUnavailable(Comparator.comparingInt(p -> hosts.ownership(p.host(), p.name())));
    }

    /**
     * Runs the call on every host that answers and joins the answers in host order; throws only when
     * not a single host answered. A host's part is kept only when its call succeeded as a whole.
     */
    private <T> List<T> collect(String what, HostCall<List<T>> call) {
        return collect(what, call, null).found();
    }

    /** What the hosts that answered found, and the failures of those that did not. */
    private record Collected<T>(List<T> found, Map<String, TransientFailureException> failed) {

        /**
         * The best of what was found; when nothing was found while a host could not be asked, the
         * thing may be there: "not found" would be a guess, so the host's failure is thrown instead.
         */
        Optional<T> bestOrUnavailable(Comparator<T> preference) {
            Optional<T> best = found.stream().min(preference);
            if (best.isEmpty() && !failed.isEmpty()) {
                throw failed.values().iterator().next();
            }
            return best;
        }
    }

    /**
     * Like {@link #collect(String, HostCall)}; a host's answer is also remembered in {@code lastKnown}
     * (when given), to show what an unreachable host served when it last answered.
     */
    private <T> Collected<T> collect(String what, HostCall<List<T>> call, Map<String, List<T>> lastKnown) {
        List<T> result = new ArrayList<>();
        Map<String, TransientFailureException> failed = new LinkedHashMap<>();
        TransientFailureException lastFailure = null;
        int answered = 0;
        for (String host : hosts.names()) {
            try {
                List<T> part = hosts.read(host, what, c -> call.call(host, c));
                result.addAll(part);
                if (lastKnown != null) {
                    lastKnown.put(host, List.copyOf(part));
                }
                answered++;
            } catch (DuplicateHostException e) { // its answer is the first host's answer
                if (lastKnown != null) {
                    lastKnown.remove(host);
                }
            } catch (TransientFailureException e) { // unreachable, or too busy to answer now
                log.debug("{}: host {} skipped: {}", what, host, e.getMessage());
                lastFailure = e;
                failed.put(host, e);
            }
        }
        if (answered == 0 && lastFailure != null) {
            throw lastFailure;
        }
        return new Collected<>(result, failed);
    }

    @Override
    public List<UnreachableHost> unreachableHosts() {
        List<UnreachableHost> unreachable = new ArrayList<>();
        for (HostStatus status : hosts.statuses()) {
            if (!status.available() && status.duplicateOf() == null) {
                unreachable.add(new UnreachableHost(status.name(), status.error(),
                        lastKnownVms.getOrDefault(status.name(), List.of()),
                        lastKnownVolumes.getOrDefault(status.name(), List.of())));
            }
        }
        return unreachable;
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
        return new Vm(host, description.name(), description.uuid(), state, description.disks(),
                description.guestAgentChannel());
    }

    /** The pool was stopped (or undefined) by someone else: its volumes are simply no longer listed. */
    static boolean stopped(StoragePool pool) {
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
