package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.awaitility.core.ConditionTimeoutException;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * The packaged application ({@code target/vdresize.jar}) run as a separate JVM, as an operator runs
 * it, so that a test can kill it with SIGKILL and start another on the same H2 file database.
 */
final class AppJvm implements AutoCloseable {

    static final Path JAR = Path.of("target/vdresize.jar");
    /** 20-40 s on an idle machine; several builds on the 2 shared cores (load 25) made it 3-5 minutes */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(420);

    private final Process process;
    private final int port;
    private final Path log;
    private final String baseUrl;
    private final SSLContext trust;

    private AppJvm(Process process, int port, Path log, String baseUrl, SSLContext trust) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.baseUrl = baseUrl;
        this.trust = trust;
    }

    /** Starts the jar on a free port with the given database and waits until /actuator/health is UP. */
    static AppJvm start(Path databaseDir, Path log, String... extraArgs) {
        return start(databaseDir, log, "http", null, extraArgs);
    }

    /**
     * Like {@link #start}, for an application that the extra arguments make serve HTTPS: it is
     * reached at {@code https://127.0.0.1:PORT} by clients that trust what {@code trust} trusts.
     */
    static AppJvm startHttps(Path databaseDir, Path log, SSLContext trust, String... extraArgs) {
        return start(databaseDir, log, "https", trust, extraArgs);
    }

    private static AppJvm start(Path databaseDir, Path log, String scheme, SSLContext trust, String... extraArgs) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " does not exist: build it first with "
                    + "'mvn -B -DskipTests package' (failsafe runs after package, so 'mvn verify' has built it)");
        }
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(),
                "--server.port=" + port,
                "--spring.datasource.url=jdbc:h2:file:" + databaseDir.resolve("db"),
                "--vdresize.hosts[0].name=local", "--vdresize.hosts[0].uri=qemu:///system",
                "--vdresize.demo.create-user=true"));  // demo/demo, as scripts/run.sh
        command.addAll(List.of(extraArgs));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            // for removeLeftovers(): a test JVM killed outright cannot stop the applications it started
            Files.writeString(databaseDir.resolve("app-" + process.pid() + ".pid"), String.valueOf(process.pid()));
            AppJvm jvm = new AppJvm(process, port, log, scheme + "://127.0.0.1:" + port, trust);
            jvm.awaitUp();
            return jvm;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A new work folder for the applications of this test JVM (databases, logs, pid files), named so
     * that {@link #removeLeftovers} finds it once this JVM is gone.
     */
    static Path workFolder(String label) throws IOException {
        return Files.createTempDirectory(LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-app-" + label + "-");
    }

    /**
     * Kills the applications started by test JVMs that no longer run (their work folders are named
     * {@code vdr-it-<pid>-crash-*} or {@code vdr-it-<pid>-app-*} and hold one {@code app-<pid>.pid}
     * per application), and deletes those folders. Only a process whose command line runs
     * vdresize.jar is killed: pids are reused.
     */
    static void removeLeftovers(Consumer<Path> deleteFolder) {
        Pattern owned = Pattern.compile(
                Pattern.quote(LibvirtFixture.PREFIX) + "(\\d+)-(?:crash|app)-.*");
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            for (Path dir : dirs.toList()) {
                Matcher m = owned.matcher(dir.getFileName().toString());
                if (!m.matches() || ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try (Stream<Path> pids = Files.list(dir)) {
                    for (Path pidFile : pids.filter(p -> p.getFileName().toString().matches("app-\\d+\\.pid")).toList()) {
                        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
                                .filter(p -> p.info().commandLine().map(c -> c.contains("vdresize.jar")).orElse(false))
                                .ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                deleteFolder.accept(dir);
            }
        } catch (IOException | NumberFormatException e) {
            // best effort
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://...} when started with {@link #startHttps}. */
    String baseUrl() {
        return baseUrl;
    }

    ApiClient api() {
        return new ApiClient(baseUrl, trust, "demo", "demo");
    }

    /** kill -9: no shutdown hook, no flush, no goodbye. Returns when the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("JVM " + process.pid() + " still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A normal stop (SIGTERM: Spring closes the context and the database). Returns when the process is gone. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private void awaitUp() {
        ApiClient api = api();
        try {
            await().pollInSameThread().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the application exited (" + process.exitValue() + ") while starting:\n" + tail());
                }
                try {
                    ApiClient.Response health = api.get("/actuator/health");
                    return health.status() == 200 && "UP".equals(health.body().path("status").asText());
                } catch (RuntimeException notYet) {
                    return false; // connection refused until Tomcat listens
                }
            });
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException("the application did not come UP within " + START_TIMEOUT + ":\n" + tail());
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
