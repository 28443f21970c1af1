package org.vdresize.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private PostgreSQL server for a test: Debian's {@code postgresql} package (installed by
 * scripts/setup-host.sh), a new cluster made with {@code initdb} in {@code /tmp/vdr-pg-<pid>-<random>}
 * and started with {@code pg_ctl} on a free port of 127.0.0.1, as the {@code postgres} user when
 * the test runs as root (PostgreSQL refuses to run as root). {@link #close()} stops it and deletes
 * the folder; {@link #start()} first stops and deletes the servers of test JVMs that died.
 * Never touches another PostgreSQL of this machine (the package's own cluster, if it runs).
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final String PREFIX = "vdr-pg-";
    private static final Pattern OWNED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");
    private static final AtomicBoolean LEFTOVERS_CHECKED = new AtomicBoolean();
    private static final long TIMEOUT_S = 120;

    private final Path base;
    private final Path bin;
    private final int port;
    private boolean closed;

    private PostgresServer(Path base, Path bin, int port) {
        this.base = base;
        this.bin = bin;
        this.port = port;
    }

    /** initdb + pg_ctl start; returns when the server accepts connections (2-5 s). */
    public static PostgresServer start() {
        if (LEFTOVERS_CHECKED.compareAndSet(false, true)) {
            removeLeftovers();
        }
        Path bin = binDir();
        Path base = Path.of("/tmp", PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8));
        PostgresServer server = new PostgresServer(base, bin, freePort());
        try {
            Files.createDirectories(base);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (isRoot()) {
                UserPrincipal postgres = base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(base, postgres);
            }
            long started = System.nanoTime();
            server.asServerUser(bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync");
            server.asServerUser(bin.resolve("pg_ctl").toString(), "-D", server.data().toString(), "-l",
                    base.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                    "-p " + server.port + " -k " + base + " -c listen_addresses=127.0.0.1 -c max_connections=200"
                            + " -c shared_buffers=64MB", "start");
            log.info("PostgreSQL of {} listens on 127.0.0.1:{} (started in {} ms)", base, server.port,
                    (System.nanoTime() - started) / 1_000_000);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A database owned by a new login role of the same name and password. */
    public String createDatabase(String name) {
        try (Connection c = connect("postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("create role " + name + " login password '" + name + "'");
            s.execute("create database " + name + " owner " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    /** The server's own log (for a failing test's message). */
    public String serverLog() {
        try {
            return Files.readString(base.resolve("server.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no server log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(base, "fast");
    }

    /** Stops (by the pid in postmaster.pid, through pg_ctl) and deletes the servers of dead test JVMs. */
    public static void removeLeftovers() {
        try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
            for (Path dir : dirs.toList()) {
                Matcher m = OWNED.matcher(dir.getFileName().toString());
                if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                    log.info("removing leftover PostgreSQL {}", dir);
                    stop(dir, "immediate");
                }
            }
        } catch (IOException e) {
            log.debug("cannot list /tmp: {}", e.toString());
        }
    }

    private static void stop(Path base, String mode) {
        Path data = base.resolve("data");
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                Path bin = binDir();
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "-t", "60", "stop"), true);
            } catch (RuntimeException e) {
                log.warn("cannot stop the PostgreSQL of {}: {}", base, e.getMessage());
            }
        }
        TestFiles.deleteRecursively(base);
    }

    private Path data() {
        return base.resolve("data");
    }

    private void asServerUser(String... command) {
        run(List.of(command), false);
    }

    /** As the postgres user when this is root (runuser), else as this user. */
    private static String run(List<String> command, boolean mayFail) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path out = null;
        try {
            out = Files.createTempFile("vdr-pg-cmd", ".out");
            // output through a file: pg_ctl start leaves the server running with our descriptors otherwise
            Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", full));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0 && !mayFail) {
                throw new IllegalStateException(String.join(" ", full) + " failed (" + process.exitValue() + "): " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", full), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** The newest /usr/lib/postgresql/N/bin with initdb and pg_ctl (Debian keeps them out of PATH). */
    static Path binDir() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no initdb/pg_ctl under " + root
                            + ": install Debian's postgresql package (scripts/setup-host.sh does)"));
        } catch (IOException e) {
            throw new IllegalStateException("no " + root + ": install Debian's postgresql package (scripts/setup-host.sh does)", e);
        }
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[127.0.0.1:" + port + ", " + base + "]";
    }
}
