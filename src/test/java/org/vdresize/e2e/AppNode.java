package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One vdresize node as operators run it: {@code java -jar target/vdresize.jar} in its own JVM (the
 * jar that {@code mvn package} built before Failsafe runs), on a free port, its output in a log
 * file. Stopped by its own pid: {@link #kill()} is kill -9, {@link #close()} a normal stop.
 */
final class AppNode implements AutoCloseable {

    static final Path JAR = Path.of("target/vdresize.jar");
    private static final Pattern NODE_ID = Pattern.compile("vdresize node (\\S+): job lock owner");

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private final ApiClient api;

    private AppNode(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.api = new ApiClient(port, "demo", "demo");
    }

    /** Starts the JVM; {@link #awaitUp(Duration)} waits for it. */
    static AppNode start(String name, Path logDir, List<String> arguments) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the ITs with mvn verify (after package)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small and quick to start: two nodes share 2 cores with libvirt, QEMU and PostgreSQL
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", JAR.toString(), "--server.port=" + port,
                "--vdresize.demo.create-user=true"));  // demo/demo, as scripts/run.sh
        command.addAll(arguments);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new AppNode(name, port, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until /actuator/health answers UP; fails with the end of the log when the JVM dies or time runs out. */
    AppNode awaitUp(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            await().pollInSameThread().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited (" + process.exitValue() + "):\n" + tail(60));
                }
                try {
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/actuator/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    return health.body().contains("\"status\":\"UP\"");
                } catch (IOException e) {
                    return false; // not listening yet
                }
            });
            return this;
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " not UP after " + timeout + ":\n" + tail(60));
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    ApiClient api() {
        return api;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The node id it logged at start (the job executor's lock owner and the history's host name). */
    String nodeId() {
        Matcher m = NODE_ID.matcher(logText());
        if (!m.find()) {
            throw new IllegalStateException(name + " logged no node id:\n" + tail(40));
        }
        return m.group(1);
    }

    /** kill -9 of this node's JVM (its pid, nothing else); returns when it is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    Optional<Path> logFile() {
        return Optional.of(log);
    }

    /** A normal stop (SIGTERM), then kill -9 when it does not end within 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
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
        return name + "[pid " + process.pid() + ", port " + port + "]";
    }
}
