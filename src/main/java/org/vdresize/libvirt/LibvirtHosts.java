package org.vdresize.libvirt;

import jakarta.annotation.PreDestroy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.common.NotFoundException;
import org.vdresize.config.VdresizeProperties;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.HostUri;

/**
 * One libvirt connection per configured host, opened on first use and kept open. A call that fails
 * because the connection broke retires that connection; the next call opens a new one. A host that
 * cannot be reached only makes calls for that host fail ({@link HostUnavailableException}); it never
 * stops the application from starting nor other hosts from working.
 *
 * <p>Connections are shared by all threads (libvirt connections are thread-safe). A retired
 * connection is closed only when the last call still using it has returned.
 *
 * <p>Each new connection reads libvirt's host UUID. A host with the same host UUID as a host configured
 * before it is the same libvirtd under another name: every call for it is refused
 * ({@link DuplicateHostException}), so that its VMs and volumes are seen and changed through the first
 * host only, never twice ({@link HostIdentities}).
 */
@Component
public class LibvirtHosts {

    private static final Logger log = LoggerFactory.getLogger(LibvirtHosts.class);
    /** The bean names of the executors this needs (LibvirtExecutors). */
    public static final String CONNECTOR = "libvirtConnector";
    public static final String CLOSER = "libvirtCloser";

    /** After a failed connect, calls fail at once for this long instead of knocking again. */
    static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(1);
    /**
     * After a connect that failed because the host's identity did not verify (or its URI is refused):
     * that does not heal in a second, and every call for any host would otherwise pay a new attempt.
     */
    static final Duration VERIFICATION_BACKOFF = Duration.ofSeconds(30);
    /** By default, the longest a call waits for a host to answer a new connection. */
    static final Duration CONNECT_WAIT = Duration.ofSeconds(5);
    private static final int KEEPALIVE_INTERVAL_S = 5;
    private static final int KEEPALIVE_COUNT = 3;
    private static final Set<String> LOCAL_SCHEMES = Set.of("qemu", "qemu+unix");
    private static final Set<String> LOCAL_PATHS = Set.of("/system", "/session");

    /** Called with a fresh connection (e.g. to register event listeners) and when it is retired. */
    interface ConnectionListener {
        void opened(String host, Connect connect) throws LibvirtException;

        void retired(String host);

        /** Called before the connection is closed: unregister what was registered in {@link #opened}. */
        default void closing(String host, Connect connect) {
        }
    }

    @FunctionalInterface
    interface LibvirtCall<T> {
        T call(Connect connect) throws LibvirtException;
    }

    private final Map<String, HostConnection> hosts;
    private final Duration connectWait;
    private final List<String> order;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    /** Connects in the background, so that a silent host costs a caller a bounded wait. */
    private final Executor connector;
    /** Closing happens off the caller's thread: a close callback runs inside libvirt's event loop. */
    private final Executor closer;

    /**
     * @param connector runs the connects, one thread each (a connect may hang on a silent host)
     * @param closer    closes retired connections, one at a time
     */
    @Autowired
    public LibvirtHosts(VdresizeProperties properties, @Qualifier(CONNECTOR) Executor connector,
                        @Qualifier(CLOSER) Executor closer) {
        this(properties, CONNECT_WAIT, connector, closer);
    }

    /** @param connectWait the longest a call waits for a host to answer a new connection */
    LibvirtHosts(VdresizeProperties properties, Duration connectWait, Executor connector, Executor closer) {
        LibvirtRuntime.ensureStarted();
        this.connectWait = connectWait;
        this.connector = connector;
        this.closer = closer;
        checkConfiguration(properties.hosts());
        Map<String, HostConnection> map = new LinkedHashMap<>();
        for (VdresizeProperties.Host host : properties.hosts()) {
            map.put(host.name(), new HostConnection(host.name(), host.uri(), host.ownsPools()));
            LibvirtUri uri = LibvirtUri.parse(host.uri());
            uri.refusal().ifPresent(why -> log.warn("libvirt host {} ({}) stays unavailable: {}", host.name(), uri, why));
            if (uri.transport() == LibvirtUri.Transport.TCP) {
                log.warn("libvirt host {} ({}) is reached over plain TCP: neither encrypted nor its identity checked",
                        host.name(), uri);
            }
        }
        this.hosts = Map.copyOf(map);
        this.order = List.copyOf(map.keySet());
    }

    /**
     * What is certainly wrong without connecting: a name twice, or the same URI under two names (the
     * application does not start). The same libvirtd behind two different URIs is found by its host
     * UUID once both have connected ({@link #duplicateOf}).
     */
    static void checkConfiguration(List<VdresizeProperties.Host> hosts) {
        Map<String, String> byUri = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (VdresizeProperties.Host host : hosts) {
            if (host.name() == null || host.name().isBlank() || host.uri() == null || host.uri().isBlank()) {
                throw new IllegalArgumentException("every libvirt host needs a name and a uri (vdresize.hosts[N].name, "
                        + "vdresize.hosts[N].uri); got name " + host.name());
            }
            if (!names.add(host.name())) {
                throw new IllegalArgumentException("libvirt host configured twice: " + host.name());
            }
            String first = byUri.putIfAbsent(host.uri(), host.name());
            if (first != null) {
                throw new IllegalArgumentException("libvirt hosts " + first + " and " + host.name() + " have the same URI "
                        + new HostUri(host.uri()).redacted() + ": configure each hypervisor once (docs/hosts.md)");
            }
        }
    }

    /** The configured host names, in configuration order. */
    public List<String> names() {
        return order;
    }

    /**
     * Every configured host, checked in parallel with a cheap round trip (a host not connected yet is
     * connected now), so this takes at most about the connect wait however many hosts are silent.
     */
    public List<HostStatus> statuses() {
        List<CompletableFuture<HostStatus>> checks = new ArrayList<>(order.size());
        for (String name : order) {
            checks.add(CompletableFuture.supplyAsync(() -> status(name), connector));
        }
        // checked in parallel: a host may have been answered before the earlier host it duplicates connected
        return checks.stream().map(CompletableFuture::join)
                .map(s -> s.available() ? duplicateOf(s.name()).map(first -> duplicateStatus(s.name(), first)).orElse(s) : s)
                .toList();
    }

    public HostStatus status(String name) {
        HostConnection host = host(name);
        try {
            read(name, "connection check", Connect::getLibVersion);
            return new HostStatus(name, host.uri, true, null);
        } catch (DuplicateHostException e) {
            return new HostStatus(name, host.uri, false, e.reason(), e.duplicateOf());
        } catch (HostUnavailableException e) {
            String error = host.lastError(); // libvirt's own words, without our "host x unavailable" prefix
            return new HostStatus(name, host.uri, false, error != null ? error : e.getMessage());
        } catch (RuntimeException e) {
            return new HostStatus(name, host.uri, false, e.getMessage());
        }
    }

    private HostStatus duplicateStatus(String name, String first) {
        return new HostStatus(name, host(name).uri, false, DuplicateHostException.reason(first, host(name).hostUuid), first);
    }

    /**
     * The host configured before this one that is the same libvirtd, as far as their connections have
     * told (a host not connected yet, or whose driver has no host UUID, is the duplicate of none).
     */
    Optional<String> duplicateOf(String name) {
        HostConnection host = host(name);
        if (host.hostUuid == null) {
            return Optional.empty();
        }
        Map<String, String> identities = new LinkedHashMap<>();
        for (String other : order) {
            String uuid = hosts.get(other).hostUuid;
            if (uuid != null) {
                identities.put(other, uuid);
            }
            if (other.equals(name)) {
                break;
            }
        }
        return HostIdentities.duplicateOf(order, identities, name);
    }

    public String uri(String name) {
        return host(name).uri;
    }

    /**
     * How well a host fits to run the storage step of a pool: 0 it is named as the pool's owner, 1 it
     * owns no pool in particular (any host where the pool is active), 2 it owns other pools only.
     */
    int ownership(String name, String pool) {
        List<String> owned = host(name).ownsPools;
        if (owned.contains(pool)) {
            return 0;
        }
        return owned.isEmpty() ? 1 : 2;
    }

    /**
     * The host's libvirtd runs on this machine and shares its file system paths with this process
     * (qemu:///system, qemu:///session or qemu+unix:///...), so a pool's files can be touched directly.
     */
    public boolean isLocal(String name) {
        return isLocalUri(host(name).uri);
    }

    static boolean isLocalUri(String uri) {
        try {
            URI u = new URI(uri);
            return u.getScheme() != null && LOCAL_SCHEMES.contains(u.getScheme().toLowerCase(Locale.ROOT))
                    && (u.getHost() == null || u.getHost().isEmpty())
                    && LOCAL_PATHS.contains(u.getPath());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** A call that only reads: after a lost connection it is tried once more on a new connection. */
    <T> T read(String host, String what, LibvirtCall<T> call) {
        return run(host, what, call, true);
    }

    /** A call that changes something: never repeated here, the caller decides (it checks state first). */
    <T> T write(String host, String what, LibvirtCall<T> call) {
        return run(host, what, call, false);
    }

    /** Also told at once about connections already open. */
    void addConnectionListener(ConnectionListener listener) {
        listeners.add(listener);
        for (HostConnection host : hosts.values()) {
            host.announceTo(listener);
        }
    }

    private <T> T run(String name, String what, LibvirtCall<T> call, boolean retryOnNewConnection) {
        HostConnection host = host(name);
        refuseIfDuplicate(host); // as known so far: no round trip for a host already known to be one
        for (int attempt = 1; ; attempt++) {
            Lease lease = host.acquire();
            try {
                refuseIfDuplicate(host); // a new connection may have told a new host UUID
                return call.call(lease.connect);
            } catch (LibvirtException e) {
                if (LibvirtErrors.isConnectionLost(e)) {
                    host.retire(lease, LibvirtErrors.message(e));
                    if (retryOnNewConnection && attempt == 1) {
                        log.info("libvirt connection to {} lost ({}), reconnecting", name, LibvirtErrors.message(e));
                        continue;
                    }
                }
                throw LibvirtErrors.translate(name, what, e);
            } finally {
                host.release(lease);
            }
        }
    }

    private void refuseIfDuplicate(HostConnection host) {
        Optional<String> first = duplicateOf(host.name);
        if (first.isPresent()) {
            String uuid = host.hostUuid;
            if (!first.get().equals(host.reportedDuplicateOf)) {
                host.reportedDuplicateOf = first.get();
                log.warn("libvirt host {} ({}) is the same libvirtd as host {} (host UUID {}): not used, its VMs and "
                        + "volumes are used through {} only", host.name, LibvirtUri.withoutUser(host.uri), first.get(), uuid, first.get());
            }
            throw new DuplicateHostException(host.name, first.get(), uuid);
        }
    }

    private HostConnection host(String name) {
        HostConnection host = hosts.get(name);
        if (host == null) {
            throw new NotFoundException("no libvirt host named " + name);
        }
        return host;
    }

    @PreDestroy
    public void close() {
        for (HostConnection host : hosts.values()) {
            host.shutdown();
        }
    }

    /** A connection and the number of its users (the registry counts as one while it is current). */
    private static final class Lease {
        final Connect connect;
        final AtomicInteger users = new AtomicInteger(1);

        Lease(Connect connect) {
            this.connect = connect;
        }
    }

    private final class HostConnection {
        final String name;
        final String uri;
        final List<String> ownsPools;
        private Lease current;
        /** A connect running in the background; callers wait for it at most until {@link #attemptDeadline}. */
        private CompletableFuture<Void> attempt;
        private long attemptDeadline;
        private long failedAtNanos;
        private Duration backoff = RECONNECT_BACKOFF;
        private String lastError;
        private boolean shutDown;
        /** libvirt's host UUID as the last connection that opened gave it; null when it gave none. */
        volatile String hostUuid;
        /** The host this one was last logged as the duplicate of (logged once, not at every call). */
        volatile String reportedDuplicateOf;

        HostConnection(String name, String uri, List<String> ownsPools) {
            this.name = name;
            this.uri = uri;
            this.ownsPools = List.copyOf(ownsPools);
        }

        synchronized String lastError() {
            return lastError;
        }

        /**
         * The open connection, or a new one. Connecting runs in the background: a host that does not
         * answer (packets dropped: TCP gives up after minutes) costs a caller at most {@code connectWait}
         * from the start of the attempt; later callers fail at once until the attempt ends.
         */
        Lease acquire() {
            CompletableFuture<Void> pending;
            long deadline;
            synchronized (this) {
                Lease lease = leaseIfOpen();
                if (lease != null) {
                    return lease;
                }
                if (attempt == null) {
                    if (lastError != null && failedAtNanos != 0
                            && System.nanoTime() - failedAtNanos < backoff.toNanos()) {
                        throw new HostUnavailableException(name, lastError, null);
                    }
                    attemptDeadline = System.nanoTime() + connectWait.toNanos();
                    attempt = CompletableFuture.runAsync(this::connect, connector);
                }
                pending = attempt;
                deadline = attemptDeadline;
            }
            long wait = deadline - System.nanoTime();
            if (wait > 0) {
                try {
                    pending.get(wait, TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // the outcome is read below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HostUnavailableException(name, "interrupted while connecting", e);
                }
            }
            synchronized (this) {
                Lease lease = leaseIfOpen();
                if (lease != null) {
                    return lease;
                }
                if (attempt != null) {
                    lastError = "no answer within " + connectWait.toMillis() + " ms, still trying";
                }
                throw new HostUnavailableException(name, lastError, null);
            }
        }

        private Lease leaseIfOpen() {
            if (shutDown) {
                throw new HostUnavailableException(name, "the application is shutting down", null);
            }
            if (current == null) {
                return null;
            }
            current.users.incrementAndGet();
            return current;
        }

        /** Runs on a connector thread. */
        private void connect() {
            LibvirtUri parsed = LibvirtUri.parse(uri);
            Optional<String> refusal = parsed.refusal().or(() -> SshClientCheck.refusal(parsed));
            if (refusal.isPresent()) {
                connectFailed(refusal.get(), VERIFICATION_BACKOFF);
                return;
            }
            NativeConnect connect;
            try {
                connect = new NativeConnect(parsed.forConnect());
            } catch (LibvirtException | RuntimeException e) {
                String message = LibvirtErrors.oneLine(e instanceof LibvirtException le ? LibvirtErrors.message(le) : e.toString());
                connectFailed(message, LibvirtErrors.isVerificationFailure(message) ? VERIFICATION_BACKOFF : RECONNECT_BACKOFF);
                return;
            }
            String uuid = hostUuid(connect);
            Lease lease = new Lease(connect);
            try {
                connect.setKeepAlive(KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
                connect.registerCloseListener((c, reason) -> retire(lease, "connection closed: " + reason));
            } catch (LibvirtException e) {
                // local drivers without keepalive still work; losses are then noticed on the next call
                log.debug("no keepalive/close callback for {}: {}", name, LibvirtErrors.message(e));
            }
            synchronized (this) {
                attempt = null;
                if (!shutDown) {
                    hostUuid = uuid;
                    current = lease;
                    failedAtNanos = 0;
                    lastError = null;
                    log.info("connected to libvirt host {} ({})", name, LibvirtUri.withoutUser(uri));
                    for (ConnectionListener listener : listeners) {
                        notifyOpened(listener, connect);
                    }
                    return;
                }
            }
            closeQuietly(connect);
        }

        /** null when the driver has none (libvirt's test driver) or it cannot be read: then never a duplicate. */
        private String hostUuid(Connect connect) {
            try {
                Optional<String> uuid = LibvirtXml.hostUuid(connect.getCapabilities());
                if (uuid.isEmpty()) {
                    log.info("libvirt host {} gives no usable host UUID: it is not compared with the other hosts", name);
                }
                return uuid.orElse(null);
            } catch (LibvirtException | RuntimeException e) {
                log.warn("cannot read the host UUID of libvirt host {}: it is not compared with the other hosts: {}", name,
                        new HostUri(uri).scrub(e instanceof LibvirtException le ? LibvirtErrors.message(le) : e.toString()));
                return null;
            }
        }

        private void connectFailed(String libvirtMessage, Duration backoff) {
            // ssh's own words may name the login ("root@hv7: Permission denied"): never logged nor shown
            String message = new HostUri(uri).scrub(libvirtMessage);
            log.warn("cannot connect to libvirt host {} ({}): {}", name, LibvirtUri.withoutUser(uri), message);
            synchronized (this) {
                attempt = null;
                failedAtNanos = System.nanoTime();
                this.backoff = backoff;
                lastError = message;
            }
        }

        synchronized void announceTo(ConnectionListener listener) {
            if (current != null) {
                notifyOpened(listener, current.connect);
            }
        }

        private void notifyOpened(ConnectionListener listener, Connect connect) {
            try {
                listener.opened(name, connect);
            } catch (LibvirtException | RuntimeException e) {
                log.warn("connection listener failed on {}: {}", name, e.toString());
            }
        }

        void retire(Lease lease, String why) {
            boolean retired;
            synchronized (this) {
                retired = current == lease;
                if (retired) {
                    current = null;
                    lastError = why;
                    // under the lock: a listener must not hear of this after it heard of the next connection
                    listeners.forEach(l -> l.retired(name));
                }
            }
            if (retired) {
                log.warn("libvirt connection to {} retired: {}", name, why);
                release(lease);
            }
        }

        void release(Lease lease) {
            if (lease.users.decrementAndGet() == 0) {
                try {
                    closer.execute(() -> closeQuietly(lease.connect));
                } catch (RejectedExecutionException e) {
                    closeQuietly(lease.connect); // shutting down
                }
            }
        }

        void shutdown() {
            Lease lease;
            synchronized (this) {
                shutDown = true;
                lease = current;
                current = null;
            }
            if (lease != null && lease.users.decrementAndGet() == 0) {
                closeQuietly(lease.connect);
            }
        }

        private void closeQuietly(Connect connect) {
            for (ConnectionListener listener : listeners) {
                try {
                    listener.closing(name, connect);
                } catch (RuntimeException e) {
                    log.debug("connection listener failed while {} closes: {}", name, e.toString());
                }
            }
            try {
                connect.unregisterCloseListener();
            } catch (LibvirtException | RuntimeException e) {
                log.trace("unregistering close callback of {}: {}", name, e.toString());
            }
            try {
                connect.close();
            } catch (LibvirtException | RuntimeException e) {
                log.debug("closing connection to {}: {}", name, e.toString());
            }
        }
    }
}
