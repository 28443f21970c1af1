package org.vdresize.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet phase (issue 12, item 4): how start-up, memory and {@code GET /api/disks} grow with the
 * number of hosts. Each host is libvirt's test driver ({@code test:///<file>}, in the application's
 * process, no libvirtd) reading a node XML written here: {@code vms} running domains with
 * {@code disks} qcow2 disks each and one dir pool holding every one of those disks as a volume, with
 * paths of its own per host. For each point (number of hosts) the jar is started afresh with the
 * benchmark's JVM options and only those hosts configured, and measured:
 * <ul>
 *   <li>start-up: from the process start until /actuator/health is UP (the health check connects to
 *       every host), and the CPU time the application used until then;</li>
 *   <li>memory: VmRSS, and the heap used before and after a full GC ({@code jcmd GC.run}), after the
 *       start and again after every disk was listed;</li>
 *   <li>the first page of {@code GET /api/disks} (default limit), the first one after the start (it
 *       fills the domain cache) and warm (p50 of {@code page-runs}); then every page, following
 *       {@code Link: rel="next"} until there is none, checking that each disk came exactly once.</li>
 * </ul>
 * Slopes are least-squares fits over the points, per 1,000 disks.
 */
final class FleetBench {

    private final String java;
    private final Path jar;
    private final Path dir;
    private final List<String> jvmOptions;
    private final List<Integer> points;
    private final int vms;
    private final int disksPerVm;
    private final int pageRuns;
    private final Consumer<String> load;

    FleetBench(String java, Path jar, Path out, List<String> jvmOptions, List<Integer> points, int vms, int disksPerVm,
               int pageRuns, Consumer<String> load) {
        this.java = java;
        this.jar = jar;
        this.dir = out.resolve("fleet");
        this.jvmOptions = jvmOptions;
        this.points = points;
        this.vms = vms;
        this.disksPerVm = disksPerVm;
        this.pageRuns = pageRuns;
        this.load = load;
    }

    /** Runs every point; puts the per-point figures and the fits into {@code fleet}, the headline ones into {@code results}. */
    void run(ObjectNode results, ObjectNode fleet) throws Exception {
        Files.createDirectories(dir);
        int maxHosts = points.stream().mapToInt(Integer::intValue).max().orElse(0);
        List<Path> nodes = new ArrayList<>();
        for (int h = 1; h <= maxHosts; h++) {
            nodes.add(writeNode(h));
        }
        fleet.put("vms_per_host", vms);
        fleet.put("disks_per_vm", disksPerVm);
        fleet.put("host_driver", "test:///<node.xml> (libvirt's test driver, in process)");
        ArrayNode rows = fleet.putArray("points");
        for (int n : points) {
            load.accept("fleet_" + n);
            rows.add(point(n, nodes.subList(0, n)));
        }
        fit(rows, fleet, results);
    }

    private ObjectNode point(int hosts, List<Path> nodes) throws Exception {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            args.add("--vdresize.hosts[" + i + "].name=fleet-" + (i + 1));
            args.add("--vdresize.hosts[" + i + "].uri=test://" + nodes.get(i).toAbsolutePath());
        }
        ObjectNode row = Api.JSON.createObjectNode();
        int disks = hosts * vms * disksPerVm;
        row.put("hosts", hosts);
        row.put("disks", disks);
        try (AppProcess app = AppProcess.start(java, jar, dir, jvmOptions, args, dir.resolve("app-" + hosts + ".log"))) {
            double upS = app.awaitUp(Duration.ofMinutes(10));
            row.put("start_s", Stats.round(upS, 2));
            row.put("start_cpu_s", Stats.round(app.cpuMs() / 1000, 2));
            row.put("rss_start_mb", Stats.round(app.rssMb(), 0));
            row.put("heap_start_mb", Stats.round(heapUsedMb(app.pid(), false), 1));
            row.put("heap_start_after_gc_mb", Stats.round(heapUsedMb(app.pid(), true), 1));
            Api api = new Api(app.port(), "demo", "demo");

            double cpu0 = app.cpuMs();
            long t0 = System.nanoTime();
            Api.Paged first = api.getPage("/api/disks");
            row.put("first_page_cold_ms", Stats.round((System.nanoTime() - t0) / 1e6, 1));
            row.put("first_page_cold_cpu_ms", Stats.round(app.cpuMs() - cpu0, 0));
            check(first, Math.min(100, disks));

            // every page, following the Link header
            List<Double> pageMs = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            int entries = 0;
            cpu0 = app.cpuMs();
            long walk0 = System.nanoTime();
            String next = "/api/disks";
            while (next != null) {
                long p0 = System.nanoTime();
                Api.Paged page = api.getPage(next);
                pageMs.add((System.nanoTime() - p0) / 1e6);
                check(page, -1);
                for (JsonNode disk : page.body()) {
                    entries++;
                    if (!seen.add(disk.path("path").asText())) {
                        throw new IllegalStateException("disk listed twice: " + disk.path("path").asText());
                    }
                }
                next = page.next();
            }
            if (entries != disks) {
                throw new IllegalStateException(hosts + " hosts: the walk listed " + entries + " disks, not " + disks);
            }
            row.put("walk_s", Stats.round((System.nanoTime() - walk0) / 1e9, 2));
            row.put("walk_cpu_s", Stats.round((app.cpuMs() - cpu0) / 1000, 2));
            row.put("walk_pages", pageMs.size());
            row.put("walk_page_p50_ms", Stats.round(Stats.percentile(pageMs, 50), 1));

            List<Double> warm = new ArrayList<>();
            cpu0 = app.cpuMs();
            for (int i = 0; i < pageRuns; i++) {
                long w0 = System.nanoTime();
                check(api.getPage("/api/disks"), Math.min(100, disks));
                warm.add((System.nanoTime() - w0) / 1e6);
            }
            row.put("first_page_p50_ms", Stats.round(Stats.percentile(warm, 50), 1));
            row.put("first_page_cpu_ms", Stats.round((app.cpuMs() - cpu0) / Math.max(1, pageRuns), 1));

            row.put("rss_listed_mb", Stats.round(app.rssMb(), 0));
            row.put("heap_listed_after_gc_mb", Stats.round(heapUsedMb(app.pid(), true), 1));
        }
        Bench.log("fleet " + hosts + " hosts (" + disks + " disks): " + row);
        return row;
    }

    private static void check(Api.Paged page, int expected) {
        if (page.status() != 200 || !page.body().isArray()) {
            throw new IllegalStateException("GET /api/disks answered " + page.status() + ": " + page.body());
        }
        if (expected >= 0 && page.body().size() != expected) {
            throw new IllegalStateException("first page has " + page.body().size() + " disks, not " + expected);
        }
        // each disk joins its pool volume and its VM; the test driver has no job stats, so vdresize
        // calls a running domain's state UNKNOWN and the disk not resizable (VM_STATE): the reads are
        // those of a real host all the same
        for (JsonNode disk : page.body()) {
            if (disk.path("volume").isNull() || disk.path("vms").size() != 1) {
                throw new IllegalStateException("a fleet disk without its volume or VM: " + disk);
            }
        }
    }

    private static final Pattern HEAP_USED = Pattern.compile("(?:heap|generation)\\s+total \\d+K, used (\\d+)K");

    /** The heap in use (MiB) as {@code jcmd GC.heap_info} shows it, after a full GC ({@code GC.run}) when asked. */
    static double heapUsedMb(long pid, boolean gcFirst) throws IOException, InterruptedException {
        if (gcFirst) {
            jcmd(pid, "GC.run");
        }
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        long kib = 0;
        boolean found = false;
        while (m.find()) {
            kib += Long.parseLong(m.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("no heap figure in jcmd GC.heap_info: " + info);
        }
        return kib / 1024.0;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output;
    }

    /** Host {@code h}: running domains with qcow2 disks, all of them volumes of the host's one dir pool. */
    Path writeNode(int h) throws IOException {
        String poolPath = "/vdr-fleet/h" + h + "/pool";
        StringBuilder xml = new StringBuilder("<node>\n");
        StringBuilder volumes = new StringBuilder();
        for (int v = 1; v <= vms; v++) {
            xml.append("  <domain type='test'><name>fleet-h").append(h).append("-vm").append(v).append("</name><uuid>")
                    .append(String.format("%08x-0000-4000-8000-%012x", h, v)).append("</uuid><memory>65536</memory>")
                    .append("<os><type>hvm</type></os><devices>\n");
            for (int d = 0; d < disksPerVm; d++) {
                String name = "vm" + v + "-disk" + d + ".qcow2";
                String path = poolPath + "/" + name;
                xml.append("    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                        .append(path).append("'/><target dev='vd").append((char) ('a' + d)).append("' bus='virtio'/></disk>\n");
                volumes.append("    <volume type='file'><name>").append(name).append("</name><capacity>10737418240</capacity>")
                        .append("<allocation>1073741824</allocation><target><path>").append(path)
                        .append("</path><format type='qcow2'/></target></volume>\n");
            }
            xml.append("  </devices></domain>\n");
        }
        xml.append("  <pool type='dir'><name>fleet-h").append(h).append("-pool</name><uuid>")
                .append(String.format("%08x-0000-4000-9000-000000000000", h)).append("</uuid>")
                .append("<capacity>109951162777600</capacity><allocation>0</allocation><available>109951162777600</available>")
                .append("<target><path>").append(poolPath).append("</path></target>\n").append(volumes).append("  </pool>\n</node>\n");
        Path file = dir.resolve("host-" + h + ".xml");
        Files.writeString(file, xml);
        return file;
    }

    /** Least-squares slopes per 1,000 disks, and the first page at the most hosts against the fewest. */
    private static void fit(ArrayNode rows, ObjectNode fleet, ObjectNode results) {
        if (rows.size() < 2) {
            return;
        }
        ObjectNode slopes = fleet.putObject("slope_per_1000_disks");
        for (String y : List.of("start_s", "start_cpu_s", "rss_start_mb", "heap_start_after_gc_mb", "first_page_cold_ms",
                "first_page_p50_ms", "first_page_cpu_ms", "walk_s", "walk_page_p50_ms", "rss_listed_mb",
                "heap_listed_after_gc_mb")) {
            double[] fitted = fit(rows, y);
            ObjectNode f = slopes.putObject(y);
            f.put("slope", Stats.round(fitted[0], 3));
            f.put("intercept", Stats.round(fitted[1], 2));
            f.put("r2", Stats.round(fitted[2], 3));
        }
        JsonNode fewest = rows.get(0);
        JsonNode most = rows.get(rows.size() - 1);
        double pageRatio = most.path("first_page_p50_ms").asDouble() / fewest.path("first_page_p50_ms").asDouble();
        fleet.put("first_page_ratio", Stats.round(pageRatio, 2));
        fleet.put("first_page_cpu_ratio", Stats.round(most.path("first_page_cpu_ms").asDouble()
                / Math.max(0.1, fewest.path("first_page_cpu_ms").asDouble()), 2));
        fleet.put("start_ratio", Stats.round(most.path("start_s").asDouble() / fewest.path("start_s").asDouble(), 2));
        results.put("fleet_first_page_ratio", Stats.round(pageRatio, 2));
        results.put("fleet_start_s_per_1000_disks", slopes.path("start_s").path("slope").asDouble());
        results.put("fleet_heap_mb_per_1000_disks", slopes.path("heap_listed_after_gc_mb").path("slope").asDouble());
        results.put("fleet_rss_mb_per_1000_disks", slopes.path("rss_listed_mb").path("slope").asDouble());
    }

    /** [slope per 1,000 disks, intercept, r²] of y against disks. */
    static double[] fit(ArrayNode rows, String y) {
        int n = rows.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        for (JsonNode r : rows) {
            double x = r.path("disks").asDouble() / 1000;
            double v = r.path(y).asDouble();
            sx += x;
            sy += v;
            sxx += x * x;
            sxy += x * v;
            syy += v * v;
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        double intercept = (sy - slope * sx) / n;
        double ssTot = syy - sy * sy / n;
        double ssRes = 0;
        for (JsonNode r : rows) {
            double e = r.path(y).asDouble() - (intercept + slope * r.path("disks").asDouble() / 1000);
            ssRes += e * e;
        }
        return new double[] {slope, intercept, ssTot == 0 ? 1 : 1 - ssRes / ssTot};
    }
}
