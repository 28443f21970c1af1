package org.vdresize.libvirt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vdresize.inventory.Vm;

/**
 * The domains of each host as last read, kept fresh by libvirt's domain events, so that listing every
 * VM costs one re-read per domain that changed instead of two or three round trips per domain.
 *
 * <p>Every event about a domain (lifecycle, device added or removed, disk or tray change, block job,
 * migration iteration, job completed) bumps that domain's generation; a cached entry is valid only
 * while its generation is current, so an event that arrives while the domain is being read is never
 * lost. Each new connection starts a new, empty state (events may have been missed while there was
 * none); a host whose connection does not deliver events is always listed live.
 *
 * <p>What events cannot show at once: an outgoing migration is seen from its first iteration event on,
 * not from the instant it was requested. Decisions about one VM use {@code findVm}, which reads it now.
 */
final class DomainCache implements LibvirtHosts.ConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(DomainCache.class);

    /** virDomainEventID values that can change what {@link Vm} holds. */
    static final int[] EVENT_IDS = {
        0,  // LIFECYCLE: defined, undefined, started, suspended (with reason), resumed, stopped, crashed, ...
        9,  // DISK_CHANGE: a disk's source changed or was dropped
        10, // TRAY_CHANGE: CD-ROM tray opened or closed
        15, // DEVICE_REMOVED: hot unplug done
        16, // BLOCK_JOB_2: a copy/commit/pull ended (may have pivoted to another image)
        19, // DEVICE_ADDED: hot plug done
        20, // MIGRATION_ITERATION: an outgoing migration is running
        21, // JOB_COMPLETED: a migration, save or dump job ended
    };

    /** Only the first two arguments are read; every domain event callback starts with them. */
    interface DomainEventCallback extends Libvirt.VirDomainEventCallback {
        void eventCallback(ConnectionPointer connection, DomainPointer domain);
    }

    private record Entry(Vm vm, long generation) {
    }

    /** What is known through one connection. Replaced as a whole, so a reader never sees a half reset. */
    private static final class State {
        final boolean eventsDelivered;
        final Map<String, Long> generations = new ConcurrentHashMap<>();
        final Map<String, Entry> entries = new ConcurrentHashMap<>();
        volatile boolean complete;

        State(boolean eventsDelivered) {
            this.eventsDelivered = eventsDelivered;
        }

        void changed(String uuid) {
            if (uuid != null) {
                generations.merge(uuid, 1L, Long::sum);
            }
        }

        long generation(String uuid) {
            return generations.getOrDefault(uuid, 0L);
        }
    }

    private static final class HostCache {
        final String host;
        final AtomicReference<State> state = new AtomicReference<>(new State(false));
        /** Strongly referenced for the life of the application: libvirt may call it at any time. */
        final DomainEventCallback callback;

        HostCache(String host) {
            this.host = host;
            this.callback = (connection, domain) -> state.get().changed(uuidOf(domain));
        }
    }

    /**
     * Every callback ever handed to libvirt, for the life of the JVM: a connection whose event
     * registrations outlive its close (libvirt keeps such a connection alive) must never call into
     * a collected callback, or the event loop thread crashes the JVM.
     */
    private static final Set<DomainEventCallback> REGISTERED = ConcurrentHashMap.newKeySet();

    private final Map<String, HostCache> hosts = new ConcurrentHashMap<>();
    /** The callback ids registered on each open connection, to deregister before it closes. */
    private final Map<Connect, List<Integer>> registrations = new ConcurrentHashMap<>();
    /** Domains read from libvirt so far (full reads and re-reads): what the cache saves is visible here. */
    private final AtomicLong domainReads = new AtomicLong();

    @Override
    public void opened(String host, Connect connect) {
        HostCache cache = cache(host);
        State fresh = new State(true);
        cache.state.set(fresh); // before registering: no event of this connection may be missed
        if (!(connect instanceof NativeConnect nc) || !register(cache, nc, registrations)) {
            cache.state.compareAndSet(fresh, new State(false));
            log.info("no domain events from {}: its VMs are listed live", host);
        }
    }

    @Override
    public void closing(String host, Connect connect) {
        List<Integer> ids = registrations.remove(connect);
        if (ids != null && connect instanceof NativeConnect nc && nc.pointer() != null) {
            for (int id : ids) {
                Libvirt.INSTANCE.virConnectDomainEventDeregisterAny(nc.pointer(), id);
            }
        }
    }

    @Override
    public void retired(String host) {
        cache(host).state.set(new State(false));
    }

    /** Every domain of the host: cached entries still current, the others read now through {@code connect}. */
    List<Vm> vms(String host, Connect connect) throws LibvirtException {
        State state = cache(host).state.get();
        if (!state.eventsDelivered) {
            return readAll(host, connect, null);
        }
        if (!state.complete) {
            synchronized (state) { // one full read per state
                if (!state.complete) {
                    List<Vm> vms = readAll(host, connect, state);
                    state.complete = true;
                    return vms;
                }
            }
        }
        Set<String> uuids = new HashSet<>(state.entries.keySet());
        uuids.addAll(state.generations.keySet());
        for (String uuid : uuids) {
            long generation = state.generation(uuid);
            Entry entry = state.entries.get(uuid);
            if (entry == null || entry.generation() != generation) {
                reread(host, connect, state, uuid, generation);
            }
        }
        List<Vm> vms = new ArrayList<>();
        for (Entry entry : state.entries.values()) {
            vms.add(entry.vm());
        }
        vms.sort(Comparator.comparing(Vm::name));
        return vms;
    }

    long domainReads() {
        return domainReads.get();
    }

    private List<Vm> readAll(String host, Connect connect, State state) throws LibvirtException {
        List<Vm> vms = new ArrayList<>();
        Domain[] domains = connect.listAllDomains(0);
        try {
            for (Domain domain : domains) {
                String uuid = domain.getUUIDString();
                long generation = state == null ? 0 : state.generation(uuid);
                try {
                    domainReads.incrementAndGet();
                    Vm vm = LibvirtInventory.vm(host, domain);
                    vms.add(vm);
                    if (state != null) {
                        state.entries.put(uuid, new Entry(vm, generation));
                    }
                } catch (LibvirtException e) {
                    if (!LibvirtErrors.isNotFound(e)) {
                        throw e;
                    } // undefined while we listed: it is simply gone
                }
            }
        } finally {
            Handles.free(domains);
        }
        vms.sort(Comparator.comparing(Vm::name));
        return vms;
    }

    private void reread(String host, Connect connect, State state, String uuid, long generation)
            throws LibvirtException {
        Domain domain = null;
        try {
            domainReads.incrementAndGet();
            domain = connect.domainLookupByUUIDString(uuid);
            state.entries.put(uuid, new Entry(LibvirtInventory.vm(host, domain), generation));
        } catch (LibvirtException e) {
            if (!LibvirtErrors.isNotFound(e)) {
                throw e;
            }
            state.entries.remove(uuid);
            state.generations.remove(uuid, generation); // kept when another event came meanwhile
        } finally {
            Handles.free(domain);
        }
    }

    private static boolean register(HostCache cache, NativeConnect connect, Map<Connect, List<Integer>> registrations) {
        ConnectionPointer pointer = connect.pointer();
        REGISTERED.add(cache.callback);
        List<Integer> ids = new ArrayList<>();
        registrations.put(connect, ids);
        for (int eventId : EVENT_IDS) {
            int id = Libvirt.INSTANCE.virConnectDomainEventRegisterAny(pointer, null, eventId, cache.callback, null, null);
            if (id < 0) {
                log.info("host {} refuses domain event {}", cache.host, eventId);
                return false;
            }
            ids.add(id);
        }
        return true;
    }

    private static String uuidOf(DomainPointer domain) {
        byte[] buffer = new byte[37]; // VIR_UUID_STRING_BUFLEN
        if (domain == null || Libvirt.INSTANCE.virDomainGetUUIDString(domain, buffer) < 0) {
            return null;
        }
        return new String(buffer, 0, 36, StandardCharsets.US_ASCII);
    }

    private HostCache cache(String host) {
        return hosts.computeIfAbsent(host, HostCache::new);
    }
}
