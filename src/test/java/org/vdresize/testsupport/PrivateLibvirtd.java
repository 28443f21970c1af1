package org.vdresize.testsupport;

import static org.awaitility.Awaitility.await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second, independent libvirtd on this machine that a test may stop and start at will, without
 * touching the shared daemon of {@code qemu:///system} (other test runs and the demo use that one).
 *
 * <p>How it is made: a holder process in a private
 * mount namespace ({@code unshare -m --propagation private}) with this daemon's own folders bind
 * mounted over /etc/libvirt (a copy of the configuration files only: no domains, pools, networks),
 * /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt and /run/libvirt; libvirtd is started in that
 * namespace with {@code nsenter} and listens on a socket outside those mounts. Clients use
 * {@link #uri()}. QEMU output goes to files (no virtlogd needed). Its QEMU processes survive
 * {@link #stop()} and are picked up again by {@link #start()}, as with the real daemon.
 *
 * <p>Everything lives under {@code /tmp/vdr-it-<pid>-<random>-libvirtd}. The daemon, the holder
 * and the QEMU processes are stopped by the pids in their pid files there, never by name;
 * {@link #removeLeftovers()} does the same for folders of test JVMs that died.
 *
 * <p>A file system mounted in the root namespace after {@link #create()} is not visible to this
 * daemon's QEMUs: mount first, then create.
 *
 * <p>{@link #create(Tls)} makes it listen for TLS on one address and port too ({@code --listen},
 * nothing else on the network). Inside its namespace the daemon's socket is also at the standard
 * place, /run/libvirt/libvirt-sock, so a program started there with {@link #inNamespace} (an sshd
 * running virt-ssh-helper) reaches it as {@code qemu:///system} would on a host of its own.
 */
public final class PrivateLibvirtd implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrivateLibvirtd.class);
    private static final Pattern OWNED = Pattern.compile(Pattern.quote(LibvirtFixture.PREFIX) + "(\\d+)-[^/]*-libvirtd");
    private static final AtomicBoolean LEFTOVERS_CHECKED = new AtomicBoolean();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String[] MOUNTS = {"etc:/etc/libvirt", "lib:/var/lib/libvirt", "log:/var/log/libvirt",
            "cache:/var/cache/libvirt", "run:/run/libvirt"};

    /**
     * TLS listening: libvirtd.conf's listen_tls on {@code address:port} with these PEM files, no
     * client authentication beyond the certificate (auth_tls none).
     */
    public record Tls(String address, int port, Path caCert, Path serverCert, Path serverKey) {
    }

    private final Path base;
    private final Tls tls;
    private Process holder;
    private boolean closed;

    private PrivateLibvirtd(Path base, Tls tls) {
        this.base = base;
        this.tls = tls;
    }

    /** Prepares the folders and the namespace and starts the daemon; returns when it answers. */
    public static PrivateLibvirtd create() {
        return create(null);
    }

    /** As {@link #create()}, also listening for TLS as given (null: Unix socket only). */
    public static PrivateLibvirtd create(Tls tls) {
        if (LEFTOVERS_CHECKED.compareAndSet(false, true)) {
            removeLeftovers();
        }
        Path base = Path.of("/tmp", LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8) + "-libvirtd");
        PrivateLibvirtd daemon = new PrivateLibvirtd(base, tls);
        try {
            daemon.prepare();
            daemon.start();
            return daemon;
        } catch (IOException e) {
            daemon.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    /** {@code qemu+unix:///system?socket=...}: this daemon's QEMU driver. */
    public String uri() {
        return "qemu+unix:///system?socket=" + base.resolve("sock/libvirt-sock");
    }

    /** The command line that runs {@code command} in this daemon's mount namespace. */
    public String[] inNamespace(String... command) {
        String[] line = new String[command.length + 4];
        line[0] = "nsenter";
        line[1] = "-t";
        line[2] = String.valueOf(holder.pid());
        line[3] = "-m";
        System.arraycopy(command, 0, line, 4, command.length);
        return line;
    }

    /** Starts libvirtd in the namespace (after {@link #stop()}); returns when {@code virsh version} answers. */
    public void start() {
        if (daemonPid().isPresent()) {
            throw new IllegalStateException("libvirtd of " + base + " already runs");
        }
        Cmd.Result started = tls == null
                ? Cmd.tryRun(inNamespace("libvirtd", "-d", "-p", pidFile().toString()))
                : Cmd.tryRun(inNamespace("libvirtd", "-d", "--listen", "-p", pidFile().toString()));
        if (started.exitCode() != 0) {
            throw new IllegalStateException("libvirtd did not start: " + started.output());
        }
        try {
            await().pollInSameThread().atMost(START_TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> Cmd.tryRun("virsh", "-q", "-c", uri(), "version").exitCode() == 0);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("libvirtd of " + base + " does not answer after " + START_TIMEOUT);
        }
    }

    /**
     * Stops libvirtd as an operator would (SIGTERM to the pid in its pid file) and waits until the
     * process is gone. Its QEMU processes keep running.
     */
    public void stop() {
        Optional<ProcessHandle> daemon = daemonPid().flatMap(ProcessHandle::of);
        if (daemon.isEmpty()) {
            return;
        }
        daemon.get().destroy();
        try {
            daemon.get().onExit().get(STOP_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("libvirtd {} did not stop after SIGTERM in {}: killing it", daemon.get().pid(), STOP_TIMEOUT);
            daemon.get().destroyForcibly();
        }
    }

    public boolean isRunning() {
        return daemonPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Kills the QEMU processes this daemon started, stops it and the namespace, deletes the folders. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tearDown(base);
        if (holder != null) {
            holder.destroyForcibly();
        }
    }

    /** Tears down the daemons of test JVMs that no longer run. */
    public static void removeLeftovers() {
        try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
            for (Path dir : dirs.toList()) {
                Matcher m = OWNED.matcher(dir.getFileName().toString());
                if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                    log.info("removing leftover private libvirtd {}", dir);
                    tearDown(dir);
                }
            }
        } catch (IOException e) {
            log.debug("cannot list /tmp: {}", e.toString());
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private void prepare() throws IOException {
        for (String mount : MOUNTS) {
            Files.createDirectories(base.resolve(mount.split(":")[0]));
        }
        Files.createDirectories(base.resolve("sock"));
        try (Stream<Path> confs = Files.list(Path.of("/etc/libvirt"))) {
            for (Path conf : confs.filter(p -> p.toString().endsWith(".conf") && Files.isRegularFile(p)).toList()) {
                Files.copy(conf, base.resolve("etc").resolve(conf.getFileName()));
            }
        }
        Files.writeString(base.resolve("etc/libvirtd.conf"), "\n# private test daemon\n"
                + "unix_sock_dir = \"" + base.resolve("sock") + "\"\n"
                + "host_uuid = \"" + UUID.randomUUID() + "\"\n"
                + (tls == null ? "" : "listen_tls = 1\nlisten_tcp = 0\n"
                        + "listen_addr = \"" + tls.address() + "\"\ntls_port = \"" + tls.port() + "\"\n"
                        + "ca_file = \"" + tls.caCert() + "\"\ncert_file = \"" + tls.serverCert() + "\"\n"
                        + "key_file = \"" + tls.serverKey() + "\"\nauth_tls = \"none\"\n"),
                java.nio.file.StandardOpenOption.APPEND);
        // the standard socket path inside the namespace (run/ is mounted over /run/libvirt there)
        Files.createSymbolicLink(base.resolve("run/libvirt-sock"), base.resolve("sock/libvirt-sock"));
        Files.writeString(base.resolve("etc/qemu.conf"), "\n# private test daemon\n"
                + "stdio_handler = \"file\"\n"
                + "cgroup_controllers = [ ]\n"
                + "remote_display_port_min = 15900\nremote_display_port_max = 16535\n"
                + "migration_port_min = 59152\nmigration_port_max = 59215\n", java.nio.file.StandardOpenOption.APPEND);
        // the QEMU capabilities the shared daemon probed already: saves a 3.5 s probe on the first define
        Path capabilities = Path.of("/var/cache/libvirt/qemu/capabilities");
        if (Files.isDirectory(capabilities)) {
            Path target = Files.createDirectories(base.resolve("cache/qemu/capabilities"));
            try (Stream<Path> files = Files.list(capabilities)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".xml")).toList()) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
        }
        StringBuilder script = new StringBuilder("set -e\n");
        for (String mount : MOUNTS) {
            script.append("mount --bind ").append(base.resolve(mount.split(":")[0])).append(' ').append(mount.split(":")[1]).append('\n');
        }
        script.append("echo $$ > ").append(base.resolve("holder.pid")).append('\n').append("exec sleep infinity\n");
        holder = new ProcessBuilder("unshare", "-m", "--propagation", "private", "bash", "-c", script.toString())
                .redirectErrorStream(true).redirectOutput(base.resolve("holder.log").toFile()).start();
        try {
            await().pollInSameThread().atMost(START_TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        if (Files.exists(base.resolve("holder.pid")) && !Files.readString(base.resolve("holder.pid")).isBlank()) {
                            return true;
                        }
                        if (!holder.isAlive()) {
                            throw new IllegalStateException("the namespace holder died: "
                                    + Files.readString(base.resolve("holder.log")));
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the namespace holder did not start");
        }
    }

    private Path pidFile() {
        return base.resolve("libvirtd.pid");
    }

    private Optional<Long> daemonPid() {
        return pidOf(pidFile(), "libvirtd");
    }

    /** The pid in a pid file, if that process is alive and runs the expected program (pids are reused). */
    private static Optional<Long> pidOf(Path pidFile, String program) {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains(program)).orElse(false))
                    .map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void tearDown(Path base) {
        // the QEMUs first (the daemon's run dir keeps one pid file per running domain), then the daemon, then the holder
        List<ProcessHandle> stopping = new ArrayList<>();
        Path qemuRun = base.resolve("run/qemu");
        if (Files.isDirectory(qemuRun)) {
            try (Stream<Path> pids = Files.list(qemuRun)) {
                for (Path pidFile : pids.filter(p -> p.toString().endsWith(".pid") && !p.getFileName().toString().equals("driver.pid")).toList()) {
                    pidOf(pidFile, "qemu-system").flatMap(ProcessHandle::of).ifPresent(p -> {
                        p.destroyForcibly();
                        stopping.add(p);
                    });
                }
            } catch (IOException e) {
                log.warn("cannot list {}: {}", qemuRun, e.toString());
            }
        }
        pidOf(base.resolve("libvirtd.pid"), "libvirtd").flatMap(ProcessHandle::of).ifPresent(p -> {
            p.destroy();
            stopping.add(p);
        });
        for (ProcessHandle p : stopping) {
            try {
                p.onExit().get(STOP_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        pidOf(base.resolve("holder.pid"), "sleep").flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
        TestFiles.deleteRecursively(base);
    }


    @Override
    public String toString() {
        return "PrivateLibvirtd[" + uri() + "]";
    }
}
