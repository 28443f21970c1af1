package org.vdresize.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * vdresize as users run it: {@code java -jar target/vdresize.jar} with the JVM's defaults, its own
 * port and a fresh H2 file database under the benchmark's work directory.
 */
final class AppProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    final List<String> command;
    /** System.nanoTime() just before the process was started: start-up is measured from here */
    private final long startedNanos;

    private AppProcess(Process process, int port, List<String> command, long startedNanos) {
        this.process = process;
        this.port = port;
        this.command = command;
        this.startedNanos = startedNanos;
    }

    static AppProcess start(String java, Path jar, Path workDir, List<String> jvmOptions, List<String> appArgs, Path log)
            throws IOException {
        return start(java, jar, workDir, jvmOptions, appArgs, log, true);
    }

    /** With {@code freshDatabase} false, on the database an earlier start left in the work directory. */
    static AppProcess start(String java, Path jar, Path workDir, List<String> jvmOptions, List<String> appArgs, Path log,
                            boolean freshDatabase) throws IOException {
        int port = freePort();
        Path db = workDir.toAbsolutePath().resolve("db");
        if (freshDatabase) {
            org.vdresize.testsupport.TestFiles.deleteRecursively(db);
        }
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--server.port=" + port,
                "--spring.datasource.url=jdbc:h2:file:" + db.resolve("vdresize"),
                "--vdresize.demo.create-user=true"));  // the bench logs in as demo/demo
        command.addAll(appArgs);
        Files.createDirectories(log.getParent());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new AppProcess(p, port, command, t0);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Waits until /actuator/health says UP; returns the seconds since the process was started. */
    double awaitUp(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        long t0 = startedNanos;
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("vdresize exited during start-up with code " + process.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return (System.nanoTime() - t0) / 1e9;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("vdresize not UP after " + timeout);
    }

    /** CPU time (user + system) the java process has used so far, in ms. */
    double cpuMs() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of proc(5), counted from the state (field 3) here; clock ticks of 10 ms
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
    }

    /**
     * CPU time (user + system, ms) of the java process's threads so far, summed by kind of thread: the name
     * (15 characters) without its number ("C2 CompilerThre", "GC Thread", "http-nio--exec", "camundaTaskExec"...).
     * Threads that ended are not counted.
     */
    java.util.Map<String, Double> threadCpuMs() {
        java.util.Map<String, Double> byKind = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
                    byKind.merge(name.replaceAll("#[0-9]+$", "").replaceAll("[0-9]{3,}", "").strip(), ms, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return byKind;
    }

    /**
     * A few of the JVM's own counters ({@code jcmd <pid> PerfCounter.print}): classes loaded from the class data
     * sharing archives and from elsewhere (the jars, generated proxies), the time spent loading, verifying and initialising classes and in the
     * JIT compilers (ms, elapsed on the threads that did it, so inflated by a loaded machine), compilations.
     * Empty when jcmd cannot attach.
     */
    java.util.Map<String, Double> jvmCounters() {
        java.util.Map<String, Double> raw = new java.util.HashMap<>();
        try {
            Process p = new ProcessBuilder("jcmd", String.valueOf(process.pid()), "PerfCounter.print").redirectErrorStream(true).start();
            for (String line : new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.substring(eq + 1).matches("\\d+")) {
                    raw.put(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)));
                }
            }
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return java.util.Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Map.of();
        }
        double ticksPerMs = raw.getOrDefault("sun.os.hrt.frequency", 1e9) / 1000;
        java.util.Map<String, Double> c = new java.util.LinkedHashMap<>();
        c.put("classes_loaded_not_from_cds", raw.getOrDefault("java.cls.loadedClasses", Double.NaN));
        c.put("classes_loaded_from_cds", raw.getOrDefault("java.cls.sharedLoadedClasses", Double.NaN));
        c.put("class_loading_ms", raw.getOrDefault("sun.cls.time", Double.NaN) / ticksPerMs);
        c.put("class_verify_ms", raw.getOrDefault("sun.cls.classVerifyTime.self", Double.NaN) / ticksPerMs);
        c.put("class_init_ms", raw.getOrDefault("sun.cls.classInitTime.self", Double.NaN) / ticksPerMs);
        c.put("jit_ms", raw.getOrDefault("java.ci.totalTime", Double.NaN) / ticksPerMs);
        c.put("jit_compiles", raw.getOrDefault("sun.ci.totalCompiles", Double.NaN));
        return c;
    }

    /** VmRSS of the java process, in MiB. */
    double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
