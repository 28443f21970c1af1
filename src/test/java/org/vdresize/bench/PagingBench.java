package org.vdresize.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vdresize.audit.AuditChain;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditType;

/**
 * The paging phase (docs/benchmark.md, "Paging"): vdresize on a database of its own into which
 * {@code audit-rows} audit entries (a valid hash chain) and {@code resizes} resizes were inserted
 * directly while it was stopped; then one page of 100 of each list (first page, and every page of
 * a walk to the end), and the CSV export of the whole audit trail with the heap it takes, read from
 * the application's GC log (-Xlog:gc) and from jvm_memory_used_bytes (Prometheus) sampled meanwhile.
 * Needs no libvirt: {@code scripts/bench.sh -- --phases=paging} runs it alone.
 */
final class PagingBench {

    private static final Pattern GC = Pattern.compile(
            "^\\[([0-9.]+)s\\].*\\bGC\\(\\d+\\) Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>;\\s*rel=\"next\"");

    private final String java;
    private final Path jar;
    private final Path dir;
    private final List<String> jvmOptions;
    private final int auditRows;
    private final int resizes;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String auth = "Basic " + Base64.getEncoder().encodeToString("demo:demo".getBytes(StandardCharsets.UTF_8));
    private String base;

    PagingBench(String java, Path jar, Path dir, List<String> jvmOptions, int auditRows, int resizes) {
        this.java = java;
        this.jar = jar;
        this.dir = dir;
        this.jvmOptions = jvmOptions;
        this.auditRows = auditRows;
        this.resizes = resizes;
    }

    ObjectNode run() throws Exception {
        ObjectNode r = Api.JSON.createObjectNode();
        Files.createDirectories(dir);
        // 1. the schema as the application makes it (Flyway and the engine), on a new database
        try (AppProcess app = AppProcess.start(java, jar, dir, jvmOptions, List.of(), dir.resolve("app-schema.log"))) {
            app.awaitUp(Duration.ofMinutes(4));
        }
        // 2. rows inserted directly while it is stopped (an H2 file has one process at a time)
        long t0 = System.nanoTime();
        fill("jdbc:h2:file:" + dir.toAbsolutePath().resolve("db").resolve("vdresize"));
        r.put("fill_s", Stats.round((System.nanoTime() - t0) / 1e9, 1));
        r.put("audit_rows", auditRows);
        r.put("resizes", resizes);
        Bench.log(String.format("paging: inserted %d audit rows and %d resizes in %.1f s", auditRows, resizes,
                (System.nanoTime() - t0) / 1e9));

        // 3. the application again on that database, with a GC log
        Path gcLog = dir.resolve("gc.log");
        Files.deleteIfExists(gcLog);
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Xlog:gc:file=" + gcLog + ":uptime");
        try (AppProcess app = AppProcess.start(java, jar, dir, options, List.of(), dir.resolve("app.log"), false)) {
            app.awaitUp(Duration.ofMinutes(4));
            base = "http://127.0.0.1:" + app.port();
            r.put("jvm_options", String.join(" ", options));

            for (int i = 0; i < 30; i++) {  // warm-up: the JIT, the statement caches
                get("/api/audit?limit=100");
                get("/api/resizes?limit=100");
            }
            r.set("audit_first_page_ms", stats(repeat("/api/audit?limit=100", 50)));
            r.set("resizes_first_page_ms", stats(repeat("/api/resizes?limit=100", 30)));
            r.set("audit_type_filter_first_page_ms", stats(repeat("/api/audit?limit=100&type=RESIZE_COMPLETED", 30)));
            r.set("audit_walk", walk("/api/audit?limit=100", "seq"));
            r.set("resizes_walk", walk("/api/resizes?limit=100", "id"));
            r.set("csv_export", csvExport(app, gcLog));
            r.put("rss_mb_end", Stats.round(app.rssMb(), 0));
        }
        return r;
    }

    // ---- the rows ------------------------------------------------------------------------------

    private void fill(String url) throws SQLException {
        Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
        AuditType[] types = AuditType.values();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            try (PreparedStatement resize = c.prepareStatement("insert into vdr_resize (id, status, noop, disk_path, host,"
                    + " pool, volume, format, old_size, requested_size, new_size, requested_by, reason, started_at, ended_at)"
                    + " values (?, 'COMPLETED', false, ?, 'local', 'default', ?, 'qcow2', ?, '+1G', ?, 'demo', 'bench', ?, ?)");
                 PreparedStatement vm = c.prepareStatement("insert into vdr_resize_vm (resize_id, vm_uuid, vm_name, host,"
                         + " target, status, capacity) values (?, ?, ?, 'local', 'vdb', 'RESIZED', ?)")) {
                for (int i = 0; i < resizes; i++) {
                    String id = String.format("bench-%08d", i);
                    Instant started = t0.plus(i * 3L, ChronoUnit.MINUTES);
                    resize.setString(1, id);
                    resize.setString(2, "/var/lib/libvirt/images/bench-" + (i % 500) + ".qcow2");
                    resize.setString(3, "bench-" + (i % 500) + ".qcow2");
                    resize.setLong(4, (10L + i) << 30);
                    resize.setLong(5, (11L + i) << 30);
                    resize.setObject(6, started.atOffset(ZoneOffset.UTC));
                    resize.setObject(7, started.plusSeconds(2).atOffset(ZoneOffset.UTC));
                    resize.addBatch();
                    vm.setString(1, id);
                    vm.setString(2, String.format("00000000-0000-4000-8000-%012d", i % 200));
                    vm.setString(3, "vm-" + (i % 200));
                    vm.setLong(4, (11L + i) << 30);
                    vm.addBatch();
                    if (i % 1000 == 999) {
                        resize.executeBatch();
                        vm.executeBatch();
                    }
                }
                resize.executeBatch();
                vm.executeBatch();
            }
            String prev = AuditChain.GENESIS;
            try (PreparedStatement audit = c.prepareStatement("insert into vdr_audit_event (seq, prev_hash, hash, at, type,"
                    + " resize_id, disk, vm, user_id, old_size, new_size, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < auditRows; i++) {
                    long seq = i + 1L;
                    int resize = (int) ((long) i * resizes / auditRows);
                    AuditEvent e = new AuditEvent(t0.plus(resize * 3L, ChronoUnit.MINUTES).plusMillis(i % 100),
                            types[i % types.length].name(), String.format("bench-%08d", resize),
                            "/var/lib/libvirt/images/bench-" + (resize % 500) + ".qcow2", "vm-" + (resize % 200), "demo",
                            (10L + resize) << 30, (11L + resize) << 30, "benchmark entry " + seq + " of the audit trail");
                    String hash = AuditChain.hash(seq, prev, e);
                    audit.setLong(1, seq);
                    audit.setString(2, prev);
                    audit.setString(3, hash);
                    audit.setObject(4, e.at().atOffset(ZoneOffset.UTC));
                    audit.setString(5, e.type());
                    audit.setString(6, e.resizeId());
                    audit.setString(7, e.disk());
                    audit.setString(8, e.vm());
                    audit.setString(9, e.user());
                    audit.setLong(10, e.oldSize());
                    audit.setLong(11, e.newSize());
                    audit.setString(12, e.detail());
                    audit.addBatch();
                    prev = hash;
                    if (i % 1000 == 999) {
                        audit.executeBatch();
                    }
                }
                audit.executeBatch();
            }
            try (PreparedStatement head = c.prepareStatement("update vdr_audit_chain set last_seq = ?, last_hash = ? where id = 1")) {
                head.setLong(1, auditRows);
                head.setString(2, prev);
                head.executeUpdate();
            }
            c.commit();
        }
    }

    // ---- pages ---------------------------------------------------------------------------------

    private List<Double> repeat(String path, int n) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> page = get(path);
            ms.add((System.nanoTime() - t0) / 1e6);
            if (page.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + page.statusCode() + " " + page.body());
            }
        }
        return ms;
    }

    /** Every page to the end, following the Link; checks that no entry comes twice and none is missing. */
    private ObjectNode walk(String first, String key) throws IOException {
        List<Double> ms = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int entries = 0;
        String next = first;
        long t0 = System.nanoTime();
        while (next != null) {
            long p0 = System.nanoTime();
            HttpResponse<String> page = get(next);
            ms.add((System.nanoTime() - p0) / 1e6);
            for (JsonNode entry : Api.JSON.readTree(page.body())) {
                entries++;
                if (!seen.add(entry.path(key).asText())) {
                    throw new IllegalStateException("entry " + entry.path(key) + " came twice in the walk of " + first);
                }
            }
            Matcher m = NEXT.matcher(page.headers().firstValue("Link").orElse(""));
            next = m.find() ? m.group(1) : null;
        }
        double totalS = (System.nanoTime() - t0) / 1e9;
        ObjectNode n = stats(ms);
        n.put("pages", ms.size());
        n.put("entries", entries);
        n.put("total_s", Stats.round(totalS, 1));
        Bench.log(String.format("paging: walked %s: %d entries in %d pages, %.1f s, page p50 %.1f ms, p95 %.1f ms",
                first, entries, ms.size(), totalS, Stats.percentile(ms, 50), Stats.percentile(ms, 95)));
        return n;
    }

    // ---- the CSV export and its heap -----------------------------------------------------------

    private ObjectNode csvExport(AppProcess app, Path gcLog) throws Exception {
        double up0 = uptime();
        List<Double> heapSamples = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                try {
                    heapSamples.add(heapUsedMb());
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // one sample less
                }
            }
        }, "heap-sampler");
        long t0 = System.nanoTime();
        long bytes = 0;
        long lines = 0;
        sampler.start();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/audit"))
                    .header("Authorization", auth).header("Accept", "text/csv").timeout(Duration.ofMinutes(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("CSV export answered " + r.statusCode());
            }
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = r.body()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines++;
                        }
                    }
                }
            }
        } finally {
            done.set(true);
            sampler.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double up1 = uptime();
        // the lines of the export's records (\r\n) and of details with a line break (none here): header + rows
        if (lines != auditRows + 1L) {
            throw new IllegalStateException("the CSV export had " + lines + " lines, not " + (auditRows + 1));
        }
        ObjectNode n = Api.JSON.createObjectNode();
        n.put("rows", lines - 1);
        n.put("mb", Stats.round(bytes / 1048576.0, 1));
        n.put("seconds", Stats.round(seconds, 1));
        n.put("rows_per_s", Math.round((lines - 1) / seconds));
        n.put("heap_used_max_mb_sampled", Stats.round(heapSamples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), 0));
        n.put("heap_samples", heapSamples.size());
        // the GC log: the heap after each collection during the export is what the export kept alive
        double afterMax = 0;
        double beforeMax = 0;
        int gcs = 0;
        double lastBefore = Double.NaN;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC.matcher(line);
            if (!m.find()) {
                continue;
            }
            double at = Double.parseDouble(m.group(1));
            double after = Double.parseDouble(m.group(3));
            if (at < up0) {
                lastBefore = after;
            } else if (at <= up1) {
                gcs++;
                afterMax = Math.max(afterMax, after);
                beforeMax = Math.max(beforeMax, Double.parseDouble(m.group(2)));
            }
        }
        n.put("gc_count", gcs);
        n.put("heap_after_gc_max_mb", afterMax);
        n.put("heap_before_gc_max_mb", beforeMax);
        n.put("heap_after_gc_before_export_mb", lastBefore);
        n.put("rss_mb_after", Stats.round(app.rssMb(), 0));
        Bench.log(String.format("paging: CSV export of %d rows (%.1f MiB) in %.1f s; heap after GC during it at most %.0f MiB"
                        + " (%.0f MiB before it; %d GCs), heap used sampled at most %.0f MiB", lines - 1, bytes / 1048576.0,
                seconds, afterMax, lastBefore, gcs, n.path("heap_used_max_mb_sampled").asDouble()));
        return n;
    }

    /** jvm_memory_used_bytes of the heap's pools, from /actuator/prometheus (a vdresize role: demo is an administrator). */
    private double heapUsedMb() {
        double sum = 0;
        for (String line : prometheus().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum / 1048576.0;
    }

    private double uptime() {
        for (String line : prometheus().split("\n")) {
            if (line.startsWith("process_uptime_seconds")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new IllegalStateException("no process_uptime_seconds in /actuator/prometheus");
    }

    private String prometheus() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                .header("Authorization", auth).timeout(Duration.ofSeconds(10)).GET().build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/actuator/prometheus answered " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
                .timeout(Duration.ofSeconds(60)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode stats(List<Double> ms) {
        ObjectNode n = Api.JSON.createObjectNode();
        n.put("runs", ms.size());
        n.put("p50_ms", Stats.round(Stats.percentile(ms, 50), 1));
        n.put("p95_ms", Stats.round(Stats.percentile(ms, 95), 1));
        n.put("max_ms", Stats.round(ms.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), 1));
        return n;
    }
}
