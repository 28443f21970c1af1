package org.vdresize.testsupport;

import static org.awaitility.Awaitility.await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An sshd of Debian's openssh-server that a test starts on a loopback address and a free port, with
 * its own host key and an authorized_keys holding a client key made at test time (root logs in with
 * that key only). Started in a {@link PrivateLibvirtd}'s mount namespace, the commands it runs see
 * that daemon as the standard {@code qemu:///system}: libvirt's ssh transport runs virt-ssh-helper
 * there, as on a hypervisor of its own.
 *
 * <p>The client side: {@link #clientAlias} writes a {@code Host} block for an alias of this sshd into
 * a drop-in of /etc/ssh/ssh_config.d (which Debian's ssh_config includes) naming the known_hosts
 * file ssh checks the host key against, as an operator would in the service user's ~/.ssh/config.
 * The drop-in is this test run's own file, removed on {@link #close()}.
 *
 * <p>Everything lives under {@code /tmp/vdr-it-<pid>-<random>-sshd}; sshd is stopped by the pid in
 * its pid file, never by name. {@link #removeLeftovers()} does the same for runs whose JVM died.
 */
public final class TestSshd implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TestSshd.class);
    private static final Pattern OWNED = Pattern.compile(Pattern.quote(LibvirtFixture.PREFIX) + "(\\d+)-[^/]*-sshd(\\.conf)?");
    private static final AtomicBoolean LEFTOVERS_CHECKED = new AtomicBoolean();
    private static final Path CLIENT_CONFIG_DIR = Path.of("/etc/ssh/ssh_config.d");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final String address;
    private final int port;
    private boolean closed;

    private TestSshd(Path dir, String address, int port) {
        this.dir = dir;
        this.address = address;
        this.port = port;
    }

    /**
     * Makes the keys and the configuration and starts sshd on {@code address} (a free port); with a
     * daemon, in that daemon's mount namespace. Returns when it accepts connections.
     */
    public static TestSshd start(String address, PrivateLibvirtd namespace) {
        if (LEFTOVERS_CHECKED.compareAndSet(false, true)) {
            removeLeftovers();
        }
        String name = LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8) + "-sshd";
        TestSshd sshd = new TestSshd(Path.of("/tmp", name), address, freePort(address));
        try {
            sshd.prepare();
            String[] command = {"/usr/sbin/sshd", "-f", sshd.file("sshd_config"), "-E", sshd.file("sshd.log")};
            Cmd.run(namespace == null ? command : namespace.inNamespace(command));
            sshd.awaitListening();
            return sshd;
        } catch (IOException e) {
            sshd.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            sshd.close();
            throw e;
        }
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The private key whose public half is in authorized_keys (a URI's {@code keyfile=}). */
    public Path clientKey() {
        return dir.resolve("client_key");
    }

    /** A known_hosts file that holds this sshd's host key. */
    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    /** A known_hosts file that holds another key for this sshd's address and port: a host that is not who it claims. */
    public Path knownHostsWithAnotherKey() {
        return dir.resolve("known_hosts_other");
    }

    /** An empty known_hosts file: this sshd's key is unknown. */
    public Path knownHostsEmpty() {
        return dir.resolve("known_hosts_empty");
    }

    /**
     * A host name for ssh clients: a {@code Host} block that points at this sshd and checks its host
     * key against {@code knownHosts} only, plus any further ssh_config lines.
     */
    public String clientAlias(String label, Path knownHosts, String... moreOptions) {
        String alias = dir.getFileName() + "-" + label;
        StringBuilder block = new StringBuilder("Host ").append(alias).append('\n')
                .append("  HostName ").append(address).append('\n')
                .append("  Port ").append(port).append('\n')
                .append("  UserKnownHostsFile ").append(knownHosts).append('\n')
                .append("  GlobalKnownHostsFile /dev/null\n")
                .append("  IdentitiesOnly yes\n");
        for (String option : moreOptions) {
            block.append("  ").append(option).append('\n');
        }
        try {
            Files.writeString(clientConfig(), block, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return alias;
    }

    /** What sshd logged (accepted keys, refused connections). */
    public String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tearDown(dir);
    }

    /** Stops the sshds of test JVMs that no longer run and removes their files. */
    public static void removeLeftovers() {
        for (Path parent : new Path[] {Path.of("/tmp"), CLIENT_CONFIG_DIR}) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(parent)) {
                for (Path entry : entries.toList()) {
                    Matcher m = OWNED.matcher(entry.getFileName().toString());
                    if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                        log.info("removing leftover test sshd {}", entry);
                        tearDown(parent.equals(CLIENT_CONFIG_DIR) ? Path.of("/tmp", entry.getFileName().toString().replace(".conf", "")) : entry);
                    }
                }
            } catch (IOException e) {
                log.debug("cannot list {}: {}", parent, e.toString());
            }
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private void prepare() throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        Cmd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vdresize test host", "-f", file("host_key"));
        Cmd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vdresize test other host", "-f", file("other_host_key"));
        Cmd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vdresize test client", "-f", file("client_key"));
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        String hostPort = "[" + address + "]:" + port;
        Files.writeString(knownHosts(), hostPort + " " + publicKey("host_key.pub") + "\n");
        Files.writeString(knownHostsWithAnotherKey(), hostPort + " " + publicKey("other_host_key.pub") + "\n");
        Files.writeString(knownHostsEmpty(), "");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress " + address + ":" + port,
                "HostKey " + dir.resolve("host_key"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AllowUsers root",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                // the files live under /tmp, which is world-writable
                "StrictModes no",
                "UseDNS no",
                "PrintMotd no",
                "PrintLastLog no",
                "X11Forwarding no",
                "AllowTcpForwarding no",
                "LogLevel VERBOSE", ""));
    }

    private String publicKey(String file) throws IOException {
        String[] parts = Files.readString(dir.resolve(file), StandardCharsets.UTF_8).strip().split(" ");
        return parts[0] + " " + parts[1];
    }

    private void awaitListening() {
        try {
            await().pollInSameThread().atMost(START_TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        try (java.net.Socket socket = new java.net.Socket()) {
                            socket.connect(new InetSocketAddress(address, port), 1000);
                            return true;
                        } catch (IOException e) {
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("sshd on " + address + ":" + port + " does not accept connections: " + log());
        }
    }

    private Path clientConfig() {
        return CLIENT_CONFIG_DIR.resolve(dir.getFileName() + ".conf");
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private static void tearDown(Path dir) {
        try {
            Files.deleteIfExists(CLIENT_CONFIG_DIR.resolve(dir.getFileName() + ".conf"));
        } catch (IOException e) {
            log.warn("cannot delete the ssh client drop-in of {}: {}", dir, e.toString());
        }
        pid(dir.resolve("sshd.pid")).flatMap(ProcessHandle::of).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
        TestFiles.deleteRecursively(dir);
    }

    /** The sshd listener whose pid is in the file, if it still runs sshd (pids are reused). */
    private static Optional<Long> pid(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("sshd")).orElse(false))
                    .map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static int freePort(String address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    @Override
    public String toString() {
        return "TestSshd[" + address + ":" + port + "]";
    }
}
