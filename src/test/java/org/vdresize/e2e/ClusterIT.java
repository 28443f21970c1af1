package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.PostgresServer;

/**
 * Two vdresize nodes (two JVMs running target/vdresize.jar with the postgres profile) on one real
 * PostgreSQL, resizing disks of real QEMU domains (no OS): the disk lock holds across nodes, 100
 * resizes started alternately on both nodes each complete exactly once with jobs run by both nodes,
 * and when one node is killed (kill -9) in the middle of a run the other one finishes every resize
 * after the job lock time (30 s, application.yml), which is measured.
 *
 * <p>"Exactly once" is read from three independent places: the audit trail (one VM_DISK_RESIZED
 * per resize), the engine's job log (one successful execution per job of an instance: a second
 * execution would be a second success) and QEMU (virsh domblkinfo: a step run twice with "+1M"
 * would show it). Which node ran a job is ACT_HI_JOB_LOG.HOSTNAME_, the node id (ClusterNodePlugin).
 * The audit trail both nodes wrote at once is one hash chain, INTACT on both nodes' verify.
 * Figures go to target/cluster-it/figures.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final Logger log = LoggerFactory.getLogger(ClusterIT.class);

    static final int VMS = 10;
    static final List<String> TARGETS = List.of("vdb", "vdc", "vdd", "vde", "vdf", "vdg", "vdh", "vdi", "vdj", "vdk");
    static final long DISK = 16 * MIB;
    /** camunda.bpm.job-execution.lock-time-in-millis of application.yml (the postgres profile keeps it) */
    static final Duration LOCK_TIME = Duration.ofSeconds(30);
    static final Path OUT = Path.of("target/cluster-it");

    record DiskRef(String vm, String target, Path image) {
        String body(String size) {
            return "{\"vm\":\"" + vm + "\",\"target\":\"" + target + "\",\"size\":\"" + size + "\",\"notifyGuest\":false}";
        }
    }

    static PostgresServer pg;
    static LibvirtFixture lv;
    static AppNode a;
    static AppNode b;
    static final List<DiskRef> disks = new ArrayList<>();
    static final List<DiskRef> raceDisks = new ArrayList<>();
    static final Map<String, Object> figures = Collections.synchronizedMap(new LinkedHashMap<>());

    @BeforeAll
    static void cluster() throws Exception {
        long started = System.nanoTime();
        pg = PostgresServer.start();
        String url = pg.createDatabase("vdresize");
        lv = LibvirtFixture.create();

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // both nodes start at the same moment on the empty database (ClusterNodePlugin's startup lock)
            List<String> args = List.of("--spring.profiles.active=postgres", "--spring.datasource.url=" + url,
                    "--vdresize.hosts[0].name=local", "--vdresize.hosts[0].uri=" + LibvirtFixture.URI);
            a = AppNode.start("node-a", OUT, args);
            b = AppNode.start("node-b", OUT, args);

            List<Future<DiskRef>> created = new ArrayList<>();
            for (int v = 0; v <= VMS; v++) {
                int vm = v;
                List<String> targets = vm < VMS ? TARGETS : TARGETS.subList(0, 5); // the last VM: the lock race
                for (String target : targets) {
                    created.add(pool.submit(() -> new DiskRef(lv.name("vm" + vm), target,
                            lv.createQcow2("vm" + vm + "-" + target + ".qcow2", DISK))));
                }
            }
            Map<String, List<Disk>> byVm = new LinkedHashMap<>();
            for (Future<DiskRef> f : created) {
                DiskRef d = f.get();
                (d.vm().equals(lv.name("vm" + VMS)) ? raceDisks : disks).add(d);
                byVm.computeIfAbsent(d.vm(), k -> new ArrayList<>()).add(Disk.virtio(d.image(), d.target()));
            }
            List<Future<?>> vms = new ArrayList<>();
            byVm.forEach((name, vmDisks) -> vms.add(pool.submit(() -> {
                String label = name.substring(name.lastIndexOf('-') + 1);
                lv.start(lv.defineVm(label, vmDisks));
            })));
            for (Future<?> f : vms) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        a.awaitUp(Duration.ofMinutes(4));
        b.awaitUp(Duration.ofMinutes(4));
        figures.put("setup (PostgreSQL, 11 VMs, 105 disks, 2 nodes started together) s", seconds(System.nanoTime() - started));
        figures.put("node-a", a.nodeId());
        figures.put("node-b", b.nodeId());
        log.info("cluster up: {} and {} on {}", a, b, pg);
    }

    @AfterAll
    static void tearDown() throws IOException {
        Files.createDirectories(OUT);
        StringBuilder text = new StringBuilder();
        figures.forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        Files.writeString(OUT.resolve("figures.txt"), text);
        log.info("cluster figures:\n{}", text);
        for (AutoCloseable c : new AutoCloseable[] {a, b}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("closing {}: {}", c, e.toString());
                }
            }
        }
        if (lv != null) {
            lv.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void theDiskLockHoldsAcrossNodes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (DiskRef d : raceDisks) {
                CyclicBarrier together = new CyclicBarrier(2);
                Future<ApiClient.Response> onA = pool.submit(() -> {
                    together.await();
                    return a.api().post("/api/resizes", d.body("20M"));
                });
                Future<ApiClient.Response> onB = pool.submit(() -> {
                    together.await();
                    return b.api().post("/api/resizes", d.body("20M"));
                });
                List<ApiClient.Response> answers = List.of(onA.get(), onB.get());
                List<ApiClient.Response> accepted = answers.stream().filter(r -> r.status() == 202).toList();
                assertThat(accepted).as("exactly one node accepts: %s", answers).hasSize(1);
                ApiClient.Response other = answers.stream().filter(r -> r.status() != 202).findFirst().orElseThrow();
                // the loser saw the lock (409 DISK_BUSY), or came after the winner had finished (200 noop)
                assertThat(other.status() == 409 && "DISK_BUSY".equals(other.body().path("code").asText())
                        || other.status() == 200 && other.body().path("noop").asBoolean())
                        .as("the other answer: %s %s", other.status(), other.body()).isTrue();
                JsonNode done = a.api().awaitEnd(accepted.get(0).body().get("id").asText(), Duration.ofMinutes(2));
                assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
                assertThat(lv.domblkinfoCapacity(d.vm(), d.target())).isEqualTo(20 * MIB);
            }
        } finally {
            pool.shutdown();
        }
        try (Connection db = db()) {
            for (DiskRef d : raceDisks) {
                assertThat(count(db, "select count(*) from vdr_audit_event where type = 'VM_DISK_RESIZED' and disk = ?",
                        d.image().toString())).as("VM_DISK_RESIZED for %s", d.image()).isEqualTo(1);
            }
            assertThat(count(db, "select count(*) from vdr_disk_lock")).isZero();
        }
    }

    @Test
    @Order(2)
    void hundredResizesStartedAlternatelyOnBothNodesEachCompleteExactlyOnce() throws Exception {
        long started = System.nanoTime();
        Map<String, String> startedOn = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> posts = new ArrayList<>();
            for (int i = 0; i < disks.size(); i++) {
                AppNode node = i % 2 == 0 ? a : b;
                DiskRef d = disks.get(i);
                posts.add(clients.submit(() -> {
                    ApiClient.Response r = node.api().post("/api/resizes", d.body("+1M"));
                    assertThat(r.status()).as("%s on %s: %s", d, node, r.body()).isEqualTo(202);
                    startedOn.put(r.body().get("id").asText(), node.name());
                }));
            }
            for (Future<?> f : posts) {
                f.get();
            }
        } finally {
            clients.shutdown();
        }
        Set<String> ids = startedOn.keySet();
        assertThat(ids).hasSize(100);
        figures.put("phase 1: 100 POSTs (4 client threads) answered after s", seconds(System.nanoTime() - started));
        awaitAllEnded(ids, Duration.ofMinutes(5));
        figures.put("phase 1: 100 resizes (+1M) started alternately, all ended after s", seconds(System.nanoTime() - started));

        try (Connection db = db()) {
            assertThat(statuses(db, ids)).as("every resize completed").containsOnlyKeys("COMPLETED");
            assertExactlyOnce(db, ids);
            Map<String, Integer> byNode = successfulJobsByNode(db, ids);
            figures.put("phase 1: successful jobs by node (ACT_HI_JOB_LOG.HOSTNAME_)", renameNodes(byNode));
            figures.put("phase 1: resizes started on node-a / node-b", startedOn.values().stream().filter("node-a"::equals).count()
                    + " / " + startedOn.values().stream().filter("node-b"::equals).count());
            Map<String, Integer> mixed = instancesByExecutingNodes(db, ids);
            figures.put("phase 1: instances whose jobs ran on node-a only / node-b only / both", renameNodes(mixed));
            assertThat(byNode).as("jobs executed by both nodes: %s", byNode).containsKeys(a.nodeId(), b.nodeId());
            assertThat(byNode.get(a.nodeId())).isPositive();
            assertThat(byNode.get(b.nodeId())).isPositive();
            assertThat(count(db, "select count(*) from vdr_disk_lock")).isZero();
        }
        assertCapacities(17 * MIB);
        assertAuditChainIntact("phase 1", a, b);

        // Cockpit (and the engine REST API under it) on either node sees every instance
        for (AppNode node : List.of(a, b)) {
            JsonNode count = node.api().get("/engine-rest/history/process-instance/count?processDefinitionKey=virtual-disk-resize").body();
            assertThat(count.path("count").asLong()).as("instances seen by %s", node).isGreaterThanOrEqualTo(105);
            assertThat(httpStatus(node, "/camunda/app/cockpit/default/")).as("Cockpit on %s", node).isEqualTo(200);
        }
    }

    @Test
    @Order(3)
    void whenANodeIsKilledMidRunTheOtherFinishesEveryResizeAfterTheJobLockTime() throws Exception {
        String bId = b.nodeId();
        String aId = a.nodeId();
        // node-a's client posts its half one by one; node-b's client posts 20 at once (a burst, so that
        // node-b has resizes in flight) and node-b is killed as soon as they are answered; the other 30
        // fail over to node-a (as a load balancer would), resending what got no answer
        List<DiskRef> forA = IntStream.range(0, disks.size()).filter(i -> i % 2 == 0).mapToObj(disks::get).toList();
        List<DiskRef> forB = IntStream.range(0, disks.size()).filter(i -> i % 2 == 1).mapToObj(disks::get).toList();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        CountDownLatch killNow = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        AtomicInteger failovers = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        Future<?> clientA = clients.submit(() -> forA.forEach(d -> post(a, d, answered, outcomes)));
        Future<?> clientB = clients.submit(() -> {
            ExecutorService burst = Executors.newFixedThreadPool(5);
            List<Future<?>> first = new ArrayList<>();
            for (DiskRef d : forB.subList(0, 20)) {
                first.add(burst.submit(() -> {
                    if (!post(b, d, answered, outcomes)) {
                        failovers.incrementAndGet();
                        post(a, d, answered, outcomes);
                    }
                }));
            }
            for (Future<?> f : first) {
                try {
                    f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            burst.shutdown();
            killNow.countDown();
            awaitQuietly(killed);
            for (DiskRef d : forB.subList(20, forB.size())) {
                failovers.incrementAndGet();
                post(a, d, answered, outcomes);
            }
        });
        assertThat(killNow.await(5, TimeUnit.MINUTES)).isTrue();
        b.kill();
        Instant killedAt = Instant.now();
        killed.countDown();

        Set<String> orphans;
        List<Instant> orphanLockExpiries = new ArrayList<>();
        try (Connection db = db()) {
            orphans = new HashSet<>();
            try (PreparedStatement q = db.prepareStatement("select process_instance_id_, lock_exp_time_ from act_ru_job"
                    + " where lock_owner_ = ? and lock_exp_time_ > ?")) {
                q.setString(1, bId);
                q.setTimestamp(2, Timestamp.from(killedAt));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        orphans.add(rs.getString(1));
                        orphanLockExpiries.add(rs.getTimestamp(2).toInstant());
                    }
                }
            }
            figures.put("phase 2: at the kill, running resizes", statuses(db, phase2Ids(db)).getOrDefault("RUNNING", 0));
        }
        clientA.get(5, TimeUnit.MINUTES);
        clientB.get(5, TimeUnit.MINUTES);
        clients.shutdown();
        figures.put("phase 2: node-b killed (kill -9) once its burst of 20 was answered; resizes holding a job locked by node-b",
                orphans.size());
        figures.put("phase 2: requests failed over to node-a", failovers.get());
        figures.put("phase 2: answers by status", new HashMap<>(outcomes));
        assertThat(orphans).as("node-b held jobs when it was killed (else there is nothing to take over)").isNotEmpty();

        Set<String> ids;
        try (Connection db = db()) {
            ids = phase2Ids(db);
        }
        awaitAllEnded(ids, LOCK_TIME.plusMinutes(3));
        try (Connection db = db()) {
            assertThat(statuses(db, ids)).as("every resize of the run completed").containsOnlyKeys("COMPLETED");
            assertExactlyOnce(db, ids);
            assertThat(count(db, "select count(*) from vdr_disk_lock")).isZero();
            // each disk grown by exactly one resize of this run (the others were noop or DISK_BUSY)
            assertThat(count(db, "select count(*) from vdr_resize where requested_size = '18M' and noop = false"))
                    .isEqualTo(disks.size());

            Instant firstTakeover = Instant.MAX;
            Instant lastOrphanEnded = Instant.MIN;
            for (String orphan : orphans) {
                Instant first = single(db, "select min(timestamp_) from act_hi_job_log where process_instance_id_ = ?"
                        + " and hostname_ = ? and job_state_ = 2 and timestamp_ > ?", orphan, aId, Timestamp.from(killedAt));
                Instant ended = single(db, "select ended_at from vdr_resize where id = ?", orphan);
                firstTakeover = first != null && first.isBefore(firstTakeover) ? first : firstTakeover;
                lastOrphanEnded = ended.isAfter(lastOrphanEnded) ? ended : lastOrphanEnded;
                assertThat(count(db, "select count(*) from act_hi_job_log where process_instance_id_ = ? and job_state_ = 2"
                        + " and hostname_ = ?", orphan, aId)).as("node-a ran the rest of %s", orphan).isPositive();
            }
            Instant lastEnded = single(db, "select max(ended_at) from vdr_resize where requested_size = '18M'");
            Instant earliestExpiry = orphanLockExpiries.stream().min(Instant::compareTo).orElseThrow();
            Instant latestExpiry = orphanLockExpiries.stream().max(Instant::compareTo).orElseThrow();
            figures.put("phase 2: locks of node-b's jobs expired after the kill, s", seconds(killedAt, earliestExpiry)
                    + " .. " + seconds(killedAt, latestExpiry));
            figures.put("phase 2: takeover: first job of node-b's resizes run by node-a after the kill, s", seconds(killedAt, firstTakeover));
            figures.put("phase 2: takeover: last of node-b's resizes completed after the kill, s", seconds(killedAt, lastOrphanEnded));
            figures.put("phase 2: every resize of the run completed after the kill, s", seconds(killedAt, lastEnded));
            figures.put("phase 2: successful jobs by node", renameNodes(successfulJobsByNode(db, ids)));
            assertThat(Duration.between(killedAt, lastOrphanEnded))
                    .as("takeover bounded by the job lock time").isLessThan(LOCK_TIME.plusSeconds(30));
            assertThat(Duration.between(killedAt, firstTakeover))
                    .as("no job of node-b was taken before its lock expired").isGreaterThanOrEqualTo(
                            Duration.between(killedAt, earliestExpiry).minusSeconds(1));
        }
        assertCapacities(18 * MIB);
        // node-b died with transactions open: what it had not committed is not in the chain, and no gap either
        assertAuditChainIntact("phase 2", a);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Both nodes wrote audit entries at the same time (each resize's steps run on either node): the
     * trail is one chain without gaps or forks, and each node's verify says INTACT with every entry.
     */
    private static void assertAuditChainIntact(String phase, AppNode... nodes) throws SQLException {
        long rows;
        try (Connection db = db()) {
            rows = count(db, "select count(*) from vdr_audit_event");
            assertThat(count(db, "select count(distinct seq) from vdr_audit_event")).isEqualTo(rows);
            assertThat(count(db, "select max(seq) from vdr_audit_event")).isEqualTo(rows);
            assertThat(count(db, "select count(distinct prev_hash) from vdr_audit_event")).as("no fork: every hash has one successor")
                    .isEqualTo(rows);
        }
        for (AppNode node : nodes) {
            long started = System.nanoTime();
            ApiClient.Response r = node.api().get("/api/audit/verify");
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            assertThat(r.body().path("status").asText()).as("%s on %s: %s", phase, node, r.body()).isEqualTo("INTACT");
            // entries appended after the count (none are expected once every resize ended) would only add
            assertThat(r.body().path("entries").asLong()).isGreaterThanOrEqualTo(rows);
            figures.put(phase + ": GET /api/audit/verify on " + node.name() + " (" + rows + " entries) ms",
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** @return false when the node could not be reached or died before answering */
    private static boolean post(AppNode node, DiskRef d, Set<String> answered, Map<String, Integer> outcomes) {
        ApiClient.Response r;
        try {
            r = node.api().post("/api/resizes", d.body("18M"));
        } catch (UncheckedIOException | IllegalStateException e) {
            return false;
        }
        String key = r.status() + (r.status() == 409 ? " " + r.body().path("code").asText() : r.body().path("noop").asBoolean() ? " noop" : "");
        outcomes.merge(key, 1, Integer::sum);
        assertThat(r.status() == 202 || r.status() == 200 && r.body().path("noop").asBoolean()
                || r.status() == 409 && "DISK_BUSY".equals(r.body().path("code").asText())).as("%s: %s %s", d, r.status(), r.body()).isTrue();
        if (r.body().hasNonNull("id")) {
            answered.add(r.body().get("id").asText());
        }
        return true;
    }

    /** Every resize of phase 2, including one whose POST got no answer because its node died. */
    private static Set<String> phase2Ids(Connection db) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (PreparedStatement q = db.prepareStatement("select id from vdr_resize where requested_size = '18M' and noop = false");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** One VM_DISK_RESIZED and one RESIZE_COMPLETED per resize; no job of an instance succeeded twice. */
    private static void assertExactlyOnce(Connection db, Set<String> ids) throws SQLException {
        Map<String, Integer> resized = countBy(db, "select resize_id, count(*) from vdr_audit_event where type = 'VM_DISK_RESIZED'"
                + " group by resize_id", ids);
        Map<String, Integer> completed = countBy(db, "select resize_id, count(*) from vdr_audit_event where type = 'RESIZE_COMPLETED'"
                + " group by resize_id", ids);
        for (String id : ids) {
            assertThat(resized.get(id)).as("VM_DISK_RESIZED of %s", id).isEqualTo(1);
            assertThat(completed.get(id)).as("RESIZE_COMPLETED of %s", id).isEqualTo(1);
        }
        // a job's success is logged once per execution that committed
        List<String> twice = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("select process_instance_id_, job_id_, count(*) from act_hi_job_log"
                + " where job_state_ = 2 and process_instance_id_ is not null" // not the engine's own jobs (history cleanup)
                + " group by process_instance_id_, job_id_ having count(*) > 1");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                if (ids.contains(rs.getString(1))) {
                    twice.add(rs.getString(1) + "/" + rs.getString(2) + " x" + rs.getInt(3));
                }
            }
        }
        assertThat(twice).as("jobs that succeeded more than once").isEmpty();
        // and each VM step ran to its end once per resize
        Map<String, Integer> vmSteps = countBy(db, "select proc_inst_id_, count(*) from act_hi_actinst where act_id_ = 'Task_ResizeVm'"
                + " and end_time_ is not null and act_inst_state_ <> 2 group by proc_inst_id_", ids); // 2: canceled
        for (String id : ids) {
            assertThat(vmSteps.get(id)).as("completed VM steps of %s", id).isEqualTo(1);
        }
    }

    private static void assertCapacities(long expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> wrong = new ArrayList<>();
            for (DiskRef d : disks) {
                wrong.add(pool.submit(() -> {
                    long capacity = lv.domblkinfoCapacity(d.vm(), d.target());
                    return capacity == expected ? null : d + ": " + capacity;
                }));
            }
            List<String> mismatches = new ArrayList<>();
            for (Future<String> f : wrong) {
                if (f.get() != null) {
                    mismatches.add(f.get());
                }
            }
            assertThat(mismatches).as("disks whose QEMU capacity is not %d", expected).isEmpty();
        } finally {
            pool.shutdown();
        }
    }

    private static Duration awaitAllEnded(Set<String> ids, Duration timeout) throws SQLException {
        long start = System.nanoTime();
        try (Connection db = db()) {
            await().pollInSameThread().atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200)).until(() -> statuses(db, ids), s -> open(s, ids) == 0);
            return Duration.ofNanos(System.nanoTime() - start);
        } catch (ConditionTimeoutException e) {
            try (Connection db = db()) {
                Map<String, Integer> statuses = statuses(db, ids);
                throw new AssertionError(open(statuses, ids) + " resizes still open after " + timeout + ": " + statuses
                        + "\nnode-a:\n" + a.tail(40), e);
            }
        }
    }

    /** Resizes of {@code ids} still RUNNING or not recorded yet. */
    private static int open(Map<String, Integer> statuses, Set<String> ids) {
        return statuses.getOrDefault("RUNNING", 0) + (ids.size() - statuses.values().stream().mapToInt(i -> i).sum());
    }

    private static Map<String, Integer> statuses(Connection db, Set<String> ids) throws SQLException {
        Map<String, Integer> byStatus = new HashMap<>();
        try (PreparedStatement q = db.prepareStatement("select id, status from vdr_resize"); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                if (ids.contains(rs.getString(1))) {
                    byStatus.merge(rs.getString(2), 1, Integer::sum);
                }
            }
        }
        return byStatus;
    }

    private static Map<String, Integer> successfulJobsByNode(Connection db, Set<String> ids) throws SQLException {
        Map<String, Integer> byNode = new HashMap<>();
        try (PreparedStatement q = db.prepareStatement("select process_instance_id_, hostname_ from act_hi_job_log where job_state_ = 2 and process_instance_id_ is not null");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                if (ids.contains(rs.getString(1))) {
                    byNode.merge(rs.getString(2), 1, Integer::sum);
                }
            }
        }
        return byNode;
    }

    /** How many instances had their jobs run by one node only, by the other only, or by both. */
    private static Map<String, Integer> instancesByExecutingNodes(Connection db, Set<String> ids) throws SQLException {
        Map<String, Set<String>> nodes = new HashMap<>();
        try (PreparedStatement q = db.prepareStatement("select process_instance_id_, hostname_ from act_hi_job_log where job_state_ = 2 and process_instance_id_ is not null");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                if (ids.contains(rs.getString(1))) {
                    nodes.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
                }
            }
        }
        Map<String, Integer> result = new LinkedHashMap<>();
        nodes.values().forEach(s -> result.merge(s.size() > 1 ? "both" : s.iterator().next(), 1, Integer::sum));
        return result;
    }

    private static <V> Map<String, V> renameNodes(Map<String, V> byNodeId) {
        Map<String, V> named = new LinkedHashMap<>();
        byNodeId.forEach((k, v) -> named.put(k.equals(a.nodeId()) ? "node-a" : k.equals(b.nodeId()) ? "node-b" : k, v));
        return named;
    }

    private static Map<String, Integer> countBy(Connection db, String sql, Set<String> ids) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement q = db.prepareStatement(sql); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                if (id != null && ids.contains(id)) {
                    counts.put(id, rs.getInt(2));
                }
            }
        }
        return counts;
    }

    private static int count(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                q.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Instant single(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                q.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return t == null ? null : t.toInstant();
            }
        }
    }

    /** The status of a GET of a page (not JSON), without credentials. */
    private static int httpStatus(AppNode node, String path) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + node.port() + path)).timeout(Duration.ofSeconds(30)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Connection db() throws SQLException {
        return pg.connect("vdresize", "vdresize", "vdresize");
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", nanos / 1e9);
    }

    private static String seconds(Instant from, Instant to) {
        return String.format("%.1f", Duration.between(from, to).toMillis() / 1000.0);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
