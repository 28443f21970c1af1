package org.vdresize.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.vdresize.testsupport.GuestImage;

/**
 * The benchmark of issues 6 and 14, run by scripts/bench.sh (see docs/benchmark.md): vdresize as users run
 * it, with the request they send (right after a start and warm, to a VM without and with a guest agent),
 * against real libvirtd/QEMU domains that it creates and removes, compared with virsh and bare
 * libvirt-java on the same kind of disks. Writes target/bench/results.json and prints a summary.
 *
 * <p>Options ({@code --name=value}): {@code jar}, {@code out} (work and result directory),
 * {@code java}, {@code fresh-runs} (default requests after each start, 30), {@code warmup},
 * {@code warmup-agent} (warm-up resizes of the guest with its agent, 20), {@code guest-boot-minutes} (6),
 * {@code latency-runs}, {@code virsh-runs}, {@code libvirt-runs},
 * {@code vms}, {@code disks-per-vm}, {@code prealloc-runs}, {@code prealloc-warmup} (default 3 when
 * neither the latency nor the scale phase ran before, else 0), {@code timer-runs},
 * {@code timer-growth}, {@code timer-delay-runs}, {@code timer-delay-growth}, {@code poll-every-ms}, {@code poll-interval-ms} (what the app is configured
 * with), {@code jvm-opts} (scripts/bench.sh passes the JVM options scripts/run.sh starts the application
 * with; another value is a diagnostic run),
 * {@code phases} (a comma-separated subset of latency,virsh,scale,batch,prealloc,fleet,paging; default all;
 * fleet and paging alone need no QEMU), {@code audit-rows} and {@code resizes} (the paging phase's rows,
 * 100000 and 10000),
 * {@code app-args} (diagnostics only: more application arguments, e.g. another datasource URL).
 */
public final class Bench {

    private static final long MIB = BenchLibvirt.MIB;
    private static final long GIB = 1024 * MIB;

    private final Map<String, String> options;
    private final Path out;
    private final int pollEveryMs;
    /** false: the client waits with ?wait= (see awaitCompleted) */
    private boolean polling;
    private final ObjectNode results = Api.JSON.createObjectNode();
    private final ObjectNode details = Api.JSON.createObjectNode();
    private final ObjectNode loads = Api.JSON.createObjectNode();
    /** CPU time of the application per resize, by phase: steadier than wall time on a loaded machine */
    private final ObjectNode cpu = Api.JSON.createObjectNode();
    private Api api;
    private AppProcess app;
    /** committed jobs (and failed attempts) per resize, by phase */
    private final ObjectNode jobsPerResize = Api.JSON.createObjectNode();
    /** the JVM's counters of class loading and JIT at moments of a run (AppProcess.jvmCounters) */
    private final ObjectNode jvmCounters = Api.JSON.createObjectNode();
    /** the application's CPU per resize by kind of thread, by phase */
    private final ObjectNode threadCpu = Api.JSON.createObjectNode();
    private static final String JOB_LOG_SUCCESS = "/engine-rest/history/job-log/count?successLog=true";
    private static final String JOB_LOG_FAILURE = "/engine-rest/history/job-log/count?failureLog=true";
    private int gets;
    private final java.util.Set<String> phases;

    private Bench(Map<String, String> options) {
        this.options = options;
        this.out = Path.of(opt("out", "target/bench")).toAbsolutePath();
        this.pollEveryMs = intOpt("poll-every-ms", 5);
        this.phases = java.util.Set.of(opt("phases", "latency,virsh,scale,batch,prealloc,fleet,paging").split(","));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, not " + a);
            }
            options.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        new Bench(options).run();
        System.exit(0);
    }

    static void log(String message) {
        System.out.println("[bench " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + "] " + message);
        System.out.flush();
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(out);
        Path jar = Path.of(opt("jar", "target/vdresize.jar"));
        List<String> jvmOptions = opt("jvm-opts", "").isBlank() ? List.of() : Arrays.asList(opt("jvm-opts", "").trim().split("\\s+"));
        long pollIntervalMs = intOpt("poll-interval-ms", 1000);
        results.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        load("start");
        results.put("phases", String.join(",", new java.util.TreeSet<>(phases)));

        try {
            if (phases.stream().anyMatch(p -> !"fleet".equals(p) && !"paging".equals(p))) {
                try (BenchLibvirt lv = BenchLibvirt.create(out)) {
                    machine(lv.connect(), jvmOptions);
                    qemuPhases(lv, jar, jvmOptions, pollIntervalMs);
                }
            } else {
                // the fleet and paging phases alone touch neither libvirtd nor QEMU (scripts/bench.sh takes no lock for fleet)
                Connect test = new Connect("test:///default", true);
                try {
                    machine(test, jvmOptions);
                } finally {
                    test.close();
                }
            }
            if (phases.contains("fleet")) {
                load("fleet");
                List<Integer> points = Arrays.stream(opt("fleet-hosts", "1,5,10,25,50").split(","))
                        .map(String::trim).map(Integer::parseInt).toList();
                new FleetBench(opt("java", "java"), jar, out, jvmOptions, points, intOpt("fleet-vms", 100),
                        intOpt("fleet-disks-per-vm", 2), intOpt("fleet-page-runs", 10), phase -> {
                            try {
                                load(phase);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }).run(results, details.putObject("fleet"));
            }
            if (phases.contains("paging")) {
                load("paging");
                // its own application and database: the other phases' resizes are not in its figures
                results.set("paging", new PagingBench(opt("java", "java"), jar, out.resolve("paging"), jvmOptions,
                        intOpt("audit-rows", 100_000), intOpt("resizes", 10_000)).run());
            }
            load("end");
        } finally {
            results.set("load_average", loads);
            details.set("app_cpu_ms_per_resize", cpu);
            details.set("jobs_per_resize", jobsPerResize);
            details.set("jvm_counters", jvmCounters);
            details.set("app_cpu_ms_per_resize_by_thread", threadCpu);
            results.set("details", details);
            targets();
            results.put("duration_s", Stats.round((System.nanoTime() - started) / 1e9, 0));
            Path file = out.resolve("results.json");
            Api.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), results);
            summary(file);
        }
    }

    /**
     * The phases on real QEMU domains. With the latency (or scale) phase the application starts twice: the
     * first start (a new database) serves the first default requests to a VM without an agent, the second
     * (a restart on that database) those to the guest with its agent, then everything else.
     */
    private void qemuPhases(BenchLibvirt lv, Path jar, List<String> jvmOptions, long pollIntervalMs) throws Exception {
        {
            // 1 VM x 1 disk: the latency figures, virsh and bare libvirt on that very disk
            lv.createQcow2("solo.qcow2", 64 * MIB);
            String solo = lv.startVm("solo", List.of(new BenchLibvirt.Disk(lv.poolDir().resolve("solo.qcow2"), "vdb", "qcow2")));
            log("started " + solo + " (1 VM x 1 qcow2 disk, no guest agent)");
            boolean latency = phases.contains("latency") || phases.contains("scale");
            // the tiny guest with qemu-guest-agent: under TCG it boots in tens of seconds, so it boots once,
            // while the application starts
            String guest = null;
            long guestBoot0 = System.nanoTime();
            if (latency) {
                Path guestDisk = lv.createQcow2("guest.qcow2", 64 * MIB);
                guest = lv.startGuest("guest", guestDisk, "vdb", "vdr-bench");
                log("started " + guest + " (the test guest with its agent, 1 qcow2 disk, booting)");
            }

            List<String> appArgs = opt("app-args", "").isBlank() ? List.of() : Arrays.asList(opt("app-args", "").trim().split("\\s+"));
            int freshRuns = intOpt("fresh-runs", 30);
            if (latency) {
                try (AppProcess first = startApp(jar, jvmOptions, appArgs, "app-fresh.log", true, "startup")) {
                    load("fresh_noagent");
                    List<Sample> fresh = sequential("fresh_noagent", solo, "vdb", freshRuns, true);
                    headline("default_noagent_fresh", fresh);
                    counters("after_fresh_noagent");
                }
            }
            try (AppProcess app = startApp(jar, jvmOptions, appArgs, "app.log", !latency, latency ? "restart" : "startup")) {
                double p50One = Double.NaN;
                if (latency) {
                    Duration boot = GuestImage.waitForAgent(guest, Duration.ofMinutes(intOpt("guest-boot-minutes", 6)));
                    details.put("guest_agent_answered_s", Stats.round((System.nanoTime() - guestBoot0) / 1e9, 1));
                    log(String.format("the guest agent of %s answers (%.1f s after the domain started; waited %d ms more)",
                            guest, (System.nanoTime() - guestBoot0) / 1e9, boot.toMillis()));
                    load("fresh_agent");
                    List<Sample> freshAgent = sequential("fresh_agent", guest, "vdb", freshRuns, true);
                    headline("default_agent_fresh", freshAgent);
                    counters("after_fresh_agent");

                    load("latency_1x1");
                    // a service that has run for a while: with 60 warm-up resizes the JIT still compiled during
                    // the measured runs; the default request, to both VMs
                    List<Sample> warmupRuns = sequential("warmup", solo, "vdb", intOpt("warmup", 150), true);
                    details.set("warmup", sampleStats(warmupRuns));
                    sequential("warmup_agent", guest, "vdb", intOpt("warmup-agent", 20), true);
                    counters("after_warmup");
                    List<Sample> warm = sequential("warm_noagent", solo, "vdb", intOpt("latency-runs", 40), true);
                    headline("default_noagent_warm", warm);
                    List<Sample> warmAgent = sequential("warm_agent", guest, "vdb", intOpt("latency-runs", 40), true);
                    headline("default_agent_warm", warmAgent);
                    counters("after_warm");
                    // secondary: notifyGuest false, the headline of earlier runs (ratios and scale compare with it)
                    List<Sample> one = sequential("latency_1x1", solo, "vdb", intOpt("latency-runs", 40), false);
                    p50One = p50(e2e(one));
                    results.put("latency_p50_ms", Stats.round(p50One, 1));
                    results.put("latency_p95_ms", Stats.round(Stats.percentile(e2e(one), 95), 1));
                    details.set("latency_1x1", sampleStats(one));
                    getCost(one.get(one.size() - 1).id(), intOpt("get-runs", 100));
                    // the same with a client that polls every poll-every-ms instead of waiting
                    polling = true;
                    List<Sample> polled = sequential("latency_1x1_polled", solo, "vdb", intOpt("polled-runs", 20), false);
                    polling = false;
                    details.set("latency_1x1_polled", sampleStats(polled));
                    results.put("latency_polled_p50_ms", Stats.round(p50(e2e(polled)), 1));
                    results.put("jobs_per_resize_noagent", jobsPerResize.path("warm_noagent").path("committed_per_resize").asDouble());
                    results.put("jobs_per_resize_agent", jobsPerResize.path("warm_agent").path("committed_per_resize").asDouble());
                    results.put("jobs_per_resize_no_guest_step", jobsPerResize.path("latency_1x1").path("committed_per_resize").asDouble());
                }

                if (phases.contains("virsh")) {
                    load("virsh_libvirt");
                    List<Double> virsh = virshSeries(lv.connect(), solo, "vdb", intOpt("virsh-runs", 30));
                    List<Double> bare = LibvirtBlockResizeBench.measure(lv.connect(), solo, "vdb", 3, intOpt("libvirt-runs", 30));
                    results.put("virsh_p50_ms", Stats.round(p50(virsh), 1));
                    results.put("libvirt_p50_ms", Stats.round(p50(bare), 2));
                    results.put("ratio_virsh", Stats.round(p50One / p50(virsh), 2));
                    results.put("ratio_libvirt", Stats.round(p50One / p50(bare), 2));
                    details.set("virsh_ms", series(virsh));
                    details.set("libvirt_ms", series(bare));
                }

                if (phases.contains("scale") || phases.contains("batch")) {
                    // 20 VMs x 10 disks
                    load("setup_many");
                    List<String[]> many = createMany(lv, intOpt("vms", 20), intOpt("disks-per-vm", 10));

                    if (phases.contains("scale")) {
                        load("latency_scaled");
                        sequential("warmup_scaled", solo, "vdb", 3, false);
                        List<Sample> scaled = sequential("latency_scaled", solo, "vdb", intOpt("latency-runs", 40), false);
                        results.put("latency_scaled_p50_ms", Stats.round(p50(e2e(scaled)), 1));
                        results.put("scale_ratio", Stats.round(p50(e2e(scaled)) / p50One, 2));
                        details.set("latency_scaled", sampleStats(scaled));
                    }

                    if (phases.contains("batch")) {
                        load("batch");
                        List<JsonNode> batchViews = new ArrayList<>();
                        double batchS = batch(many, batchViews);
                        results.put("batch_total_s", Stats.round(batchS, 2));
                        double rss = app.rssMb();
                        results.put("rss_mb", Stats.round(rss, 0));
                        log(String.format("RSS after the batch: %.0f MiB", rss));

                        load("virsh_sequential");
                        double virshSeqS = virshSequential(many, batchViews);
                        results.put("virsh_sequential_total_s", Stats.round(virshSeqS, 2));
                        results.put("batch_ratio", Stats.round(batchS / virshSeqS, 2));
                    }
                }

                if (phases.contains("prealloc")) {
                    load("prealloc");
                    // a run of the prealloc phase alone (--phases=prealloc) meets a cold JVM: warm it up as the
                    // latency phase would have, with resizes of the same kind that are not measured
                    boolean warm = phases.contains("latency") || phases.contains("scale");
                    prealloc(lv, intOpt("prealloc-warmup", warm ? 0 : 3), intOpt("prealloc-runs", 5));
                    load("timer");
                    timerPath(lv, intOpt("timer-runs", 5), opt("timer-growth", "+1G"), intOpt("timer-delay-runs", 3),
                            opt("timer-delay-growth", "+5G"), pollIntervalMs);
                }

                details.put("rss_mb_end", Stats.round(app.rssMb(), 0));
            }
        }
    }

    // ---- sequential resizes ------------------------------------------------------------------

    record Sample(String id, double e2eMs, double postMs, long wall0, JsonNode view) {
    }

    /** What one poll costs: GET /api/resizes/{id} of a completed resize, back to back. */
    private void getCost(String id, int n) throws Exception {
        double cpu0 = app.cpuMs();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            api.get("/api/resizes/" + id);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        double cpuPerGet = (app.cpuMs() - cpu0) / n;
        ObjectNode g = details.putObject("get_resize");
        g.put("p50_ms", Stats.round(p50(ms), 2));
        g.put("app_cpu_ms", Stats.round(cpuPerGet, 2));
        log(String.format("GET /api/resizes/{id}: p50 %.2f ms, app CPU %.2f ms per GET", p50(ms), cpuPerGet));
    }

    /**
     * {@code runs} resizes of +1M one after the other; {@code defaultRequest}: the body people send
     * ({"vm","target","size"}, the guest step runs), else with {@code "notifyGuest": false}. Counts the
     * engine's committed jobs (its job log's successful executions) and failed attempts per resize.
     */
    private List<Sample> sequential(String label, String vm, String target, int runs, boolean defaultRequest) throws Exception {
        List<Sample> samples = new ArrayList<>();
        long jobs0 = runs > 0 ? api.count(JOB_LOG_SUCCESS) : 0;
        long failed0 = runs > 0 ? api.count(JOB_LOG_FAILURE) : 0;
        double cpu0 = app.cpuMs();
        Map<String, Double> threads0 = app.threadCpuMs();
        int gets0 = gets;
        for (int i = 0; i < runs; i++) {
            samples.add(resize(defaultRequest ? Api.resizeBody(vm, target, "+1M") : Api.resizeBodyNoGuest(vm, target, "+1M")));
        }
        if (runs > 0) {
            double cpuPerResize = (app.cpuMs() - cpu0) / runs;
            double getsPerResize = (gets - gets0) / (double) runs;
            double jobs = (api.count(JOB_LOG_SUCCESS) - jobs0) / (double) runs;
            double failed = (api.count(JOB_LOG_FAILURE) - failed0) / (double) runs;
            cpu.put(label, Stats.round(cpuPerResize, 1));
            // whose CPU: the JIT compilers, GC, request threads, job executor... (ms per resize, the largest)
            Map<String, Double> threads1 = app.threadCpuMs();
            ObjectNode byThread = threadCpu.putObject(label);
            threads1.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), (e.getValue() - threads0.getOrDefault(e.getKey(), 0.0)) / runs))
                    .filter(e -> e.getValue() >= 0.5)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> byThread.put(e.getKey(), Stats.round(e.getValue(), 1)));
            ObjectNode j = jobsPerResize.putObject(label);
            j.put("committed_per_resize", Stats.round(jobs, 2));
            j.put("failed_attempts_per_resize", Stats.round(failed, 2));
            j.put("request", defaultRequest ? "default" : "notifyGuest:false");
            log(String.format("%s: %d resizes%s, p50 %.1f ms, p95 %.1f ms (POST p50 %.1f ms); app CPU %.1f ms per resize"
                            + " with %.1f GETs; %.2f committed jobs per resize", label, runs,
                    defaultRequest ? "" : " (notifyGuest false)", p50(e2e(samples)), Stats.percentile(e2e(samples), 95),
                    p50(samples.stream().map(Sample::postMs).toList()), cpuPerResize, getsPerResize, jobs));
        }
        return samples;
    }

    /** The JVM's class and JIT counters now, as details.jvm_counters.{moment}. */
    private void counters(String moment) {
        ObjectNode n = jvmCounters.putObject(moment);
        app.jvmCounters().forEach((k, v) -> n.put(k, Stats.round(v, 0)));
        log("JVM counters " + moment + ": " + n);
    }

    /** The JSON figures {name}_p50_ms and {name}_p95_ms of these samples, and their details. */
    private void headline(String name, List<Sample> samples) {
        results.put(name + "_p50_ms", Stats.round(p50(e2e(samples)), 1));
        results.put(name + "_p95_ms", Stats.round(Stats.percentile(e2e(samples), 95), 1));
        details.set(name, sampleStats(samples));
        if (!samples.isEmpty()) {
            ((ObjectNode) details.get(name)).set("guest_outcome_of_the_last", samples.get(samples.size() - 1).view().path("guest"));
        }
    }

    /**
     * Starts the application (a new database or the one the last start left), waits until it is UP and
     * records {@code figure}_s (wall time from the process start) and {@code figure}_cpu_s (its CPU time until then).
     */
    private AppProcess startApp(Path jar, List<String> jvmOptions, List<String> appArgs, String logName, boolean freshDatabase,
                                String figure) throws Exception {
        load(figure);
        AppProcess started = AppProcess.start(opt("java", "java"), jar, out, jvmOptions, appArgs, out.resolve(logName), freshDatabase);
        this.app = started;
        log("starting vdresize (" + (freshDatabase ? "new database" : "on the database of the last start") + "): "
                + String.join(" ", started.command));
        double upS = started.awaitUp(Duration.ofMinutes(4));
        double cpuS = started.cpuMs() / 1000;
        log(String.format("vdresize UP after %.1f s, %.1f s of CPU (pid %d, port %d)", upS, cpuS, started.pid(), started.port()));
        results.put(figure + "_s", Stats.round(upS, 1));
        details.put(figure + "_cpu_s", Stats.round(cpuS, 1));
        details.put("app_command", String.join(" ", started.command));
        api = new Api(started.port(), "demo", "demo");
        // the engine's REST API (which the job counts use) initialises on its first request: not a resize's cost
        api.count(JOB_LOG_SUCCESS);
        counters(figure + "_up");
        return started;
    }

    private Sample resize(String vm, String target, String size) throws Exception {
        return resize(Api.resizeBodyNoGuest(vm, target, size));
    }

    private Sample resize(String body) throws Exception {
        long wall0 = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Api.Response r = api.postResize(body);
        long tPost = System.nanoTime();
        if (r.status() != 202) {
            throw new IllegalStateException("POST answered " + r.status() + ": " + r.body());
        }
        JsonNode view = awaitCompleted(r.body().path("id").asText(), Duration.ofMinutes(2));
        long t1 = System.nanoTime();
        return new Sample(view.path("id").asText(), (t1 - t0) / 1e6, (tPost - t0) / 1e6, wall0, view);
    }

    /**
     * Reads the resize until it is COMPLETED: by default as automation should, with {@code ?wait=}
     * (the answer comes when the status changes); with {@code polling}, by a GET every
     * {@code poll-every-ms} (the figures of earlier runs, and what a naive client costs).
     */
    private JsonNode awaitCompleted(String id, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode view = api.get("/api/resizes/" + id + (polling ? "" : "?wait=30")).body();
            gets++;
            String status = view.path("status").asText();
            if ("COMPLETED".equals(status)) {
                return view;
            }
            if (Api.END_STATES.contains(status)) {
                throw new IllegalStateException("resize " + id + " ended " + status + ": " + view.path("error"));
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("resize " + id + " still " + status + " after " + timeout + ": " + view);
            }
            if (polling) {
                Thread.sleep(pollEveryMs);
            }
        }
    }

    /**
     * Where the time of one resize went, in ms, from the steps' timestamps (same machine clock):
     * gap_before_X is the time between the previous step's end (or the POST) and X's start.
     */
    private static Map<String, Double> segments(Sample s) {
        Map<String, Double> seg = new LinkedHashMap<>();
        long prevEnd = s.wall0();
        for (JsonNode step : s.view().path("steps")) {
            if (step.path("startedAt").isNull() || step.path("endedAt").isNull()) {
                continue;
            }
            String name = step.path("name").asText();
            long start = Instant.parse(step.path("startedAt").asText()).toEpochMilli();
            long end = Instant.parse(step.path("endedAt").asText()).toEpochMilli();
            seg.merge("gap_before_" + name, (double) (start - prevEnd), Double::sum);
            seg.merge(name, (double) (end - start), Double::sum);
            prevEnd = Math.max(prevEnd, end);
        }
        seg.put("after_last_step", s.e2eMs() - (prevEnd - s.wall0()));
        return seg;
    }

    private ObjectNode sampleStats(List<Sample> samples) {
        ObjectNode n = Api.JSON.createObjectNode();
        n.put("runs", samples.size());
        n.put("p50_ms", Stats.round(p50(e2e(samples)), 1));
        n.put("p95_ms", Stats.round(Stats.percentile(e2e(samples), 95), 1));
        n.put("min_ms", Stats.round(samples.stream().mapToDouble(Sample::e2eMs).min().orElse(Double.NaN), 1));
        n.put("max_ms", Stats.round(samples.stream().mapToDouble(Sample::e2eMs).max().orElse(Double.NaN), 1));
        n.put("post_p50_ms", Stats.round(p50(samples.stream().map(Sample::postMs).toList()), 1));
        // per segment: mean and p50 (p50s of segments do not add up to the p50 of the whole)
        Map<String, List<Double>> bySegment = new LinkedHashMap<>();
        List<Map<String, Double>> all = samples.stream().map(Bench::segments).toList();
        all.forEach(m -> m.keySet().forEach(k -> bySegment.putIfAbsent(k, new ArrayList<>())));
        for (Map<String, Double> m : all) {
            bySegment.forEach((k, list) -> list.add(m.getOrDefault(k, 0.0)));
        }
        ObjectNode segs = n.putObject("segments_ms");
        bySegment.forEach((k, list) -> {
            ObjectNode s = segs.putObject(k);
            s.put("mean", Stats.round(list.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), 1));
            s.put("p50", Stats.round(p50(list), 1));
        });
        n.set("e2e_ms", series(e2e(samples)));
        return n;
    }

    // ---- virsh ---------------------------------------------------------------------------------

    private List<Double> virshSeries(Connect conn, String vm, String target, int runs) throws Exception {
        long capacity = capacity(conn, vm, target);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs + 3; i++) {
            capacity += MIB;
            double t = virshBlockResize(vm, target, capacity);
            if (i >= 3) {
                ms.add(t);
            }
        }
        log(String.format("virsh blockresize: p50 %.1f ms over %d runs", p50(ms), ms.size()));
        return ms;
    }

    private static long capacity(Connect conn, String vm, String target) throws Exception {
        Domain d = conn.domainLookupByName(vm);
        try {
            return d.blockInfo(target).getCapacity();
        } finally {
            d.free();
        }
    }

    private static double virshBlockResize(String vm, String target, long bytes) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("virsh", "-q", "-c", BenchLibvirt.URI, "blockresize", vm, target, bytes + "B")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        long t1 = System.nanoTime();
        if (code != 0) {
            throw new IllegalStateException("virsh blockresize " + vm + " " + target + " failed: " + output);
        }
        return (t1 - t0) / 1e6;
    }

    private double virshSequential(List<String[]> disks, List<JsonNode> batchViews) throws Exception {
        Map<String, Long> newSizes = new LinkedHashMap<>();
        for (JsonNode v : batchViews) {
            JsonNode vm = v.path("vms").path(0);
            newSizes.put(vm.path("name").asText() + "/" + vm.path("target").asText(), v.path("newSize").asLong());
        }
        long t0 = System.nanoTime();
        for (String[] d : disks) {
            virshBlockResize(d[0], d[1], newSizes.get(d[0] + "/" + d[1]) + MIB);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        log(String.format("virsh blockresize, sequential over %d disks: %.2f s", disks.size(), s));
        return s;
    }

    // ---- many VMs and the batch ----------------------------------------------------------------

    private List<String[]> createMany(BenchLibvirt lv, int vms, int disksPerVm) throws Exception {
        long t0 = System.nanoTime();
        List<String[]> disks = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String[]>>> futures = new ArrayList<>();
            for (int v = 0; v < vms; v++) {
                String label = String.format("vm%02d", v);
                futures.add(pool.submit(() -> {
                    List<BenchLibvirt.Disk> list = new ArrayList<>();
                    for (int i = 0; i < disksPerVm; i++) {
                        String target = "vd" + (char) ('b' + i);
                        Path path = lv.createQcow2(label + "-" + target + ".qcow2", 64 * MIB);
                        list.add(new BenchLibvirt.Disk(path, target, "qcow2"));
                    }
                    String name = lv.startVm(label, list);
                    return list.stream().map(d -> new String[] {name, d.target()}).toList();
                }));
            }
            for (Future<List<String[]>> f : futures) {
                disks.addAll(f.get());
            }
        } finally {
            pool.shutdown();
        }
        log(String.format("created and started %d VMs x %d qcow2 disks in %.1f s", vms, disksPerVm,
                (System.nanoTime() - t0) / 1e9));
        return disks;
    }

    private double batch(List<String[]> disks, List<JsonNode> views) throws Exception {
        long jobs0 = api.count(JOB_LOG_SUCCESS);
        Map<String, Double> threads0 = app.threadCpuMs();
        double cpu0 = app.cpuMs();
        long wall0 = System.currentTimeMillis();
        long t0 = System.nanoTime();
        List<Double> postMs = new ArrayList<>();
        List<CompletableFuture<Api.Response>> posts = new ArrayList<>();
        for (String[] d : disks) {
            posts.add(api.postResizeAsync(Api.resizeBody(d[0], d[1], "+1M")).whenComplete((r, e) -> {
                synchronized (postMs) {
                    postMs.add((System.nanoTime() - t0) / 1e6);
                }
            }));
        }
        CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).join();
        double postedS = (System.nanoTime() - t0) / 1e9;
        List<String> ids = new ArrayList<>();
        for (CompletableFuture<Api.Response> f : posts) {
            Api.Response r = f.join();
            if (r.status() != 202) {
                throw new IllegalStateException("batch POST answered " + r.status() + ": " + r.body());
            }
            ids.add(r.body().path("id").asText());
        }
        // wait on the oldest unfinished one: one GET in flight at a time, so polling loads the app little
        for (String id : ids) {
            views.add(awaitCompleted(id, Duration.ofMinutes(5)));
        }
        double totalS = (System.nanoTime() - t0) / 1e9;
        long lastEnd = views.stream().mapToLong(v -> Instant.parse(v.path("endedAt").asText()).toEpochMilli()).max().orElse(0);
        cpu.put("batch", Stats.round((app.cpuMs() - cpu0) / disks.size(), 1));
        Map<String, Double> threads1 = app.threadCpuMs();
        ObjectNode byThread = threadCpu.putObject("batch");
        threads1.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - threads0.getOrDefault(e.getKey(), 0.0)) / disks.size()))
                .filter(e -> e.getValue() >= 0.5)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> byThread.put(e.getKey(), Stats.round(e.getValue(), 1)));
        jobsPerResize.putObject("batch").put("committed_per_resize",
                Stats.round((api.count(JOB_LOG_SUCCESS) - jobs0) / (double) disks.size(), 2));
        ObjectNode b = details.putObject("batch");
        b.put("resizes", disks.size());
        b.put("all_posts_answered_s", Stats.round(postedS, 2));
        b.put("post_p50_ms", Stats.round(p50(postMs), 0));
        b.put("post_max_ms", Stats.round(postMs.stream().mapToDouble(Double::doubleValue).max().orElse(0), 0));
        b.put("last_endedAt_s", Stats.round((lastEnd - wall0) / 1e3, 2));
        b.put("total_s", Stats.round(totalS, 2));
        // where the time went, each resize measured from the moment the POSTs were sent
        List<Sample> asSamples = views.stream().map(v -> new Sample(v.path("id").asText(),
                Instant.parse(v.path("endedAt").asText()).toEpochMilli() - wall0, 0, wall0, v)).toList();
        b.set("segments_from_batch_start", sampleStats(asSamples).get("segments_ms"));
        log(String.format("batch: %d resizes, all POSTs answered after %.2f s, all COMPLETED after %.2f s (last endedAt %.2f s)",
                disks.size(), postedS, totalS, (lastEnd - wall0) / 1e3));
        return totalS;
    }

    // ---- preallocated raw growth and the timer loop --------------------------------------------

    private void prealloc(BenchLibvirt lv, int warmup, int runs) throws Exception {
        long initial = 256 * MIB;
        Path pre = lv.createRawPreallocated("prealloc.img", initial);
        String vm = lv.startVm("prealloc", List.of(new BenchLibvirt.Disk(pre, "vdb", "raw")));
        Path scratch = lv.poolDir().resolveSibling(lv.name("fallocate.scratch"));
        List<Double> storageMs = new ArrayList<>();
        List<Double> fallocateMs = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < warmup; i++) {
            resize(vm, "vdb", "+64M");
        }
        int logLinesBefore = libvirtResizeMs("prealloc.img").size();
        try {
            for (int i = 0; i < runs; i++) {
                Sample s = resize(vm, "vdb", "+1G");
                samples.add(s);
                storageMs.add(storageStepMs(s.view()));
                fallocateMs.add(fallocate(scratch, initial, GIB));
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
        List<Double> libvirtMs = libvirtResizeMs("prealloc.img");
        libvirtMs = libvirtMs.subList(Math.min(logLinesBefore, libvirtMs.size()), libvirtMs.size());
        results.put("prealloc_storage_p50_ms", Stats.round(p50(storageMs), 1));
        results.put("fallocate_p50_ms", Stats.round(p50(fallocateMs), 1));
        results.put("prealloc_ratio", Stats.round(p50(storageMs) / p50(fallocateMs), 2));
        ObjectNode p = details.putObject("prealloc");
        p.put("warmup_resizes", warmup);
        p.set("storage_step_ms", series(storageMs));
        p.set("fallocate_ms", series(fallocateMs));
        p.set("resizes", sampleStats(samples));
        p.set("storage_checks", checkCounts(samples));
        // the storage job's virStorageVolResize alone (LibvirtStorage's log line): what is left is the engine's part
        p.set("libvirt_resize_ms", series(libvirtMs));
        log(String.format("preallocated raw +1 GiB: storage step p50 %.1f ms, fallocate p50 %.1f ms, libvirt resize p50 %.1f ms;"
                        + " storage checks %s", p50(storageMs), p50(fallocateMs), p50(libvirtMs), checkCounts(samples)));

    }

    /**
     * The poll timer loop (timer_path_ms of docs/benchmark.md): a storage job still RUNNING at the first check
     * and done at the second. The check never waits for a job (the timer loop and the poll timer
     * shortcut are the design), so any job that outlasts the hand-over from Extend storage to the first
     * check (a few ms) goes through the loop; on ext4 even 12 GiB preallocate in about 35 ms, too close
     * to that hand-over to be sure, so these jobs preallocate in a pool on /dev/shm (tmpfs zeroes its
     * pages: about 0.3 s per GiB), on a volume no VM uses, recreated after each run.
     *  - one pass: +1 GiB, a job of 0.3-0.7 s (tmpfs is slower when the machine's memory is busy:
     *    +2 GiB took 0.6-1.35 s, too close to the poll interval, and such runs went through the loop
     *    twice), running at the first check and ended before the poll timer is due: the shortcut
     *    fires the timer when the job ends (or, if it ends while the first check commits, right
     *    after that commit), and the second check finds it DONE. timer_path_ms = end to end - the
     *    poll interval, as docs/benchmark.md defines it: negative when the shortcut saves part of the poll
     *    interval. What the resize costs besides the grow itself is in
     *    details.timer_path.one_pass_e2e_minus_libvirt_resize_p50_ms (end to end minus the
     *    libvirt call of that run, from the app log);
     *  - timer firing delay: a job of about 1.5 s, so that the first timer fires by its due date
     *    (the job still runs): how late after its due date it fired (the job executor is woken at
     *    the due date; without that its idle acquisition sleeps up to max-wait, 500 ms).
     */
    private void timerPath(BenchLibvirt lv, int runs, String growth, int delayRuns, String delayGrowth, long pollIntervalMs)
            throws Exception {
        Path shm = Path.of("/dev/shm");
        ObjectNode t = details.putObject("timer_path");
        if (!Files.isDirectory(shm)) {
            t.put("skipped", "no /dev/shm");
            results.putNull("timer_path_ms");
            return;
        }
        org.libvirt.StoragePool pool = lv.createPool("shm", shm);
        String poolName = pool.getName();
        long initial = 64 * MIB;
        BenchLibvirt.createRawPreallocated(pool, "timer.img", initial);
        List<Sample> samples = new ArrayList<>();
        List<Sample> delaySamples = new ArrayList<>();
        for (int i = 0; i < runs + delayRuns; i++) {
            boolean delay = i >= runs;
            Sample s = resize(Api.volumeResizeBody(poolName, "timer.img", delay ? delayGrowth : growth));
            (delay ? delaySamples : samples).add(s);
            BenchLibvirt.deleteVolume(pool, "timer.img");
            BenchLibvirt.createRawPreallocated(pool, "timer.img", initial);
        }
        List<Sample> onePass = samples.stream().filter(s -> checks(s.view()) == 2).toList();
        List<Double> grows = libvirtResizeMs("timer.img");
        if (grows.size() == runs + delayRuns) {
            List<Double> besidesGrow = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                if (checks(samples.get(i).view()) == 2) {
                    besidesGrow.add(samples.get(i).e2eMs() - grows.get(i));
                }
            }
            t.set("libvirt_resize_ms", series(grows.subList(0, runs)));
            t.put("one_pass_e2e_minus_libvirt_resize_p50_ms", Stats.round(p50(besidesGrow), 1));
        }
        t.put("growth", growth);
        t.put("poll_interval_ms", pollIntervalMs);
        t.set("storage_checks", checkCounts(samples));
        t.put("runs_with_one_timer_pass", onePass.size());
        t.set("all", sampleStats(samples));
        if (!onePass.isEmpty()) {
            t.set("one_pass", sampleStats(onePass));
            results.put("timer_path_ms", Stats.round(p50(e2e(onePass)) - pollIntervalMs, 1));
        } else {
            results.putNull("timer_path_ms");
        }
        log(String.format("timer path (%s on tmpfs): %d of %d runs went once through the timer loop; e2e p50 %.1f ms",
                growth, onePass.size(), runs, p50(e2e(onePass))));

        List<Double> delays = new ArrayList<>();
        for (Sample s : delaySamples) {
            for (JsonNode step : s.view().path("steps")) {
                if ("STORAGE_POLL_WAIT".equals(step.path("name").asText()) && !step.path("endedAt").isNull()) {
                    long waited = Instant.parse(step.path("endedAt").asText()).toEpochMilli()
                            - Instant.parse(step.path("startedAt").asText()).toEpochMilli();
                    delays.add((double) (waited - pollIntervalMs));
                    break; // the first wait ends by its due date (the job still runs); later ones by the shortcut
                }
            }
        }
        ObjectNode d = t.putObject("timer_fire_delay");
        d.put("growth", delayGrowth);
        d.set("storage_checks", checkCounts(delaySamples));
        d.set("first_poll_wait_minus_interval_ms", series(delays));
        d.set("resizes", sampleStats(delaySamples));
        results.put("timer_fire_delay_p50_ms", Stats.round(p50(delays), 1));
        log(String.format("timer firing delay (%s on tmpfs): p50 %.1f ms after the due date (%s)", delayGrowth,
                p50(delays), delays));
    }

    /** "resize of volume POOL/VOLUME to N bytes (allocated) done in X ms" lines of the app log, for that volume */
    private List<Double> libvirtResizeMs(String volume) throws IOException {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "resize of volume [^/ ]+/" + java.util.regex.Pattern.quote(volume) + " to \\d+ bytes \\(\\w+\\) done in (\\d+) ms");
        List<Double> ms = new ArrayList<>();
        Path log = out.resolve("app.log");
        if (Files.exists(log)) {
            for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                java.util.regex.Matcher m = line.matcher(l);
                if (m.find()) {
                    ms.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        return ms;
    }

    private static int checks(JsonNode view) {
        int n = 0;
        for (JsonNode step : view.path("steps")) {
            n += "STORAGE_CHECK".equals(step.path("name").asText()) ? 1 : 0;
        }
        return n;
    }

    private static ArrayNode checkCounts(List<Sample> samples) {
        ArrayNode a = Api.JSON.createArrayNode();
        samples.forEach(s -> a.add(checks(s.view())));
        return a;
    }

    /** From STORAGE_EXTEND's start to the end of the last STORAGE_CHECK. */
    private static double storageStepMs(JsonNode view) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (JsonNode step : view.path("steps")) {
            String name = step.path("name").asText();
            if (("STORAGE_EXTEND".equals(name) || "STORAGE_CHECK".equals(name)) && !step.path("endedAt").isNull()) {
                start = Math.min(start, Instant.parse(step.path("startedAt").asText()).toEpochMilli());
                end = Math.max(end, Instant.parse(step.path("endedAt").asText()).toEpochMilli());
            }
        }
        return end - start;
    }

    /** fallocate(1) growing a file of {@code base} bytes by {@code bytes}, then cut back to {@code base}. */
    private static double fallocate(Path file, long base, long bytes) throws IOException, InterruptedException {
        if (!Files.exists(file)) {
            exec("fallocate", "-l", String.valueOf(base), file.toString());
        }
        long t0 = System.nanoTime();
        exec("fallocate", "-o", String.valueOf(base), "-l", String.valueOf(bytes), file.toString());
        double ms = (System.nanoTime() - t0) / 1e6;
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(base);
        }
        return ms;
    }

    private static String exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    // ---- machine, load, targets, summary -------------------------------------------------------

    private void machine(Connect conn, List<String> jvmOptions) throws Exception {
        ObjectNode m = results.putObject("machine");
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                m.put("memory_mb", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
            }
        }
        m.put("kernel", exec("uname", "-r").strip());
        m.put("libvirt", version(conn.getLibVersion()));
        m.put("qemu", conn.getType().equals("QEMU") ? version(conn.getVersion()) : "not used");
        m.put("java", exec(opt("java", "java"), "-version").lines().findFirst().orElse("").strip());
        m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?"));
        m.put("jvm_options", String.join(" ", jvmOptions));
        if (!jvmOptions.isEmpty()) {
            log("JVM options of the application: " + jvmOptions);
        }
    }

    private static String version(long v) {
        return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
    }

    private void load(String phase) throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        ArrayNode a = loads.putArray(phase);
        for (int i = 0; i < 3; i++) {
            a.add(Double.parseDouble(f[i]));
        }
        log("phase " + phase + ", load average " + f[0] + " " + f[1] + " " + f[2]);
    }

    private void targets() {
        // figure -> [target, true when lower is better]
        Map<String, Double> targets = new LinkedHashMap<>();
        // issue 14: the default request, a VM without an agent; start-up; jobs; the batch of default requests
        targets.put("default_noagent_warm_p50_ms", 80.0);
        targets.put("default_noagent_warm_p95_ms", 150.0);
        targets.put("default_noagent_fresh_p50_ms", 150.0);
        targets.put("startup_s", 15.0);
        targets.put("restart_s", 15.0);
        targets.put("jobs_per_resize_noagent", 3.0);
        // issue 6 (latency_*: notifyGuest false)
        targets.put("latency_p50_ms", 100.0);
        targets.put("latency_p95_ms", 200.0);
        targets.put("ratio_libvirt", 3.0);
        targets.put("timer_path_ms", 100.0);
        targets.put("batch_ratio", 1.5);
        targets.put("scale_ratio", 1.5);
        targets.put("prealloc_ratio", 1.5);
        targets.put("rss_mb", 768.0);
        ObjectNode t = results.putObject("targets");
        ObjectNode met = results.putObject("met");
        targets.forEach((k, v) -> {
            t.put(k, v);
            JsonNode value = results.get(k);
            if (value == null || !value.isNumber()) {
                met.putNull(k);
            } else {
                met.put(k, value.asDouble() <= v);
            }
        });
    }

    private void summary(Path file) {
        String[] figures = {"default_noagent_fresh_p50_ms", "default_noagent_fresh_p95_ms", "default_noagent_warm_p50_ms",
                "default_noagent_warm_p95_ms", "default_agent_fresh_p50_ms", "default_agent_fresh_p95_ms",
                "default_agent_warm_p50_ms", "default_agent_warm_p95_ms", "jobs_per_resize_noagent", "jobs_per_resize_agent",
                "jobs_per_resize_no_guest_step", "startup_s", "restart_s", "latency_p50_ms", "latency_p95_ms", "latency_polled_p50_ms", "virsh_p50_ms", "libvirt_p50_ms", "ratio_virsh",
                "ratio_libvirt", "batch_total_s", "virsh_sequential_total_s", "batch_ratio", "latency_scaled_p50_ms",
                "scale_ratio", "prealloc_storage_p50_ms", "fallocate_p50_ms", "prealloc_ratio", "rss_mb", "timer_path_ms",
                "timer_fire_delay_p50_ms", "fleet_first_page_ratio", "fleet_start_s_per_1000_disks",
                "fleet_heap_mb_per_1000_disks", "fleet_rss_mb_per_1000_disks"};
        StringBuilder sb = new StringBuilder("\n==== vdresize benchmark ").append(results.path("date").asText())
                .append(" (").append(results.path("machine").path("nproc").asText()).append(" CPUs, load at start ")
                .append(loads.path("start")).append(") ====\n");
        Map<String, JsonNode> targets = new TreeMap<>();
        results.path("targets").fields().forEachRemaining(e -> targets.put(e.getKey(), e.getValue()));
        for (String f : figures) {
            JsonNode v = results.get(f);
            JsonNode t = targets.get(f);
            String verdict = t == null ? "" : results.path("met").path(f).isBoolean()
                    ? (results.path("met").path(f).asBoolean() ? "ok" : "MISSED") : "n/a";
            sb.append(String.format("  %-30s %12s   %s%n", f, v == null ? "-" : v.asText(),
                    t == null ? "" : "target <= " + t.asText() + "  " + verdict));
        }
        sb.append("  results: ").append(file).append('\n');
        System.out.print(sb);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static List<Double> e2e(List<Sample> samples) {
        return samples.stream().map(Sample::e2eMs).toList();
    }

    private static double p50(List<Double> samples) {
        return Stats.percentile(samples, 50);
    }

    private static ArrayNode series(List<Double> values) {
        ArrayNode a = Api.JSON.createArrayNode();
        values.forEach(v -> a.add(Stats.round(v, 1)));
        return a;
    }

    private String opt(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int intOpt(String name, int fallback) {
        return Integer.parseInt(opt(name, String.valueOf(fallback)));
    }
}
