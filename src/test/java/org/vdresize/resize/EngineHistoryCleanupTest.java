package org.vdresize.resize;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.runtime.Job;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.config.Roles;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.guest.GuestAgentUnavailableException;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StoragePool;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.inventory.VmState;
import org.vdresize.process.ResizeProcess;
import org.vdresize.storage.StoragePort;
import org.vdresize.vm.BlockInfo;
import org.vdresize.vm.HypervisorPort;

/**
 * The engine's history cleanup, run for real, removes the history of finished resizes while their
 * views (GET /api/resizes/{id}) and the audit trail (GET /api/audit) answer exactly as before; the
 * audit trail's own retention archives before it removes, and keeps the hash chain intact. The
 * whole application over HTTP, with libvirt's ports faked as in {@link ResizeFlowTest}, and a time
 * to live of 0 days so that a resize's history is due for removal as soon as it ends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:history-cleanup;DB_CLOSE_DELAY=-1",
        // the demo users instead of an admin whose random password goes to data/ of the working directory
        "vdresize.demo.create-user=true",
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1073741824",
        "vdresize.history.time-to-live=P0D",
        // no automatic cleanup: the tests run it when they mean to, at any time of day
        "vdresize.history.cleanup-window-start=",
        "vdresize.audit.archive-directory=target/audit-archive-test",
        "vdresize.audit.retention-batch=2",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class EngineHistoryCleanupTest {

    private static final Logger log = LoggerFactory.getLogger(EngineHistoryCleanupTest.class);
    static final long MIB = 1L << 20;
    static final String PATH = "/pool/h.img";
    /** the engine's history tables that hold rows of a process instance, by its root instance */
    static final List<String> HISTORY_TABLES = List.of("ACT_HI_PROCINST", "ACT_HI_ACTINST", "ACT_HI_TASKINST",
            "ACT_HI_VARINST", "ACT_HI_DETAIL", "ACT_HI_IDENTITYLINK", "ACT_HI_OP_LOG", "ACT_HI_JOB_LOG");

    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;
    @Autowired ResizeService resizes;
    @Autowired CancelledResizes cancelledResizes;
    @Autowired RuntimeService runtime;
    @Autowired TaskService tasks;
    @Autowired IdentityService identity;
    @Autowired HistoryService history;
    @Autowired ManagementService management;
    @Autowired JdbcTemplate jdbc;
    @LocalServerPort int port;

    volatile long volumeCapacity = 64 * MIB;
    final Map<String, Long> qemuCapacity = new ConcurrentHashMap<>();
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void afterTheCleanupRemovedTheEngineHistoryTheResizesAndTheAuditTrailAnswerAsBefore() throws Exception {
        users();
        world();
        // one approved and completed, one cancelled by an administrator while it waited for approval
        String completed = resizes.start(byPath("+2G"), "olga").id();
        awaitStatus(completed, ResizeStatus.WAITING_FOR_APPROVAL);
        approve(completed, "carl");
        assertThat(awaitStatus(completed, ResizeStatus.COMPLETED).status()).isEqualTo(ResizeStatus.COMPLETED);
        String cancelled = resizes.start(byPath("+2G"), "olga").id();
        awaitStatus(cancelled, ResizeStatus.WAITING_FOR_APPROVAL);
        identity.setAuthentication("dora", List.of(Roles.ADMINS));
        try {
            runtime.deleteProcessInstance(cancelled, "wrong disk", true, true);
        } finally {
            identity.clearAuthentication();
        }
        assertThat(cancelledResizes.endCancelled()).isOne();

        String completedBefore = get("/api/resizes/" + completed);
        String cancelledBefore = get("/api/resizes/" + cancelled);
        String auditBefore = get("/api/audit?disk=" + PATH);
        String csvBefore = get("/api/audit?disk=" + PATH, "text/csv");
        String listBefore = get("/api/resizes?disk=" + PATH);
        Map<String, Integer> rowsBefore = historyRows(completed, cancelled);
        log.info("before the cleanup: engine history rows of resizes {} and {}: {}", completed, cancelled, rowsBefore);
        assertThat(rowsBefore.values()).allSatisfy(n -> assertThat(n).isPositive());
        // what the view shows is what the engine's history said (the contract did not change with the source)
        assertThat(resizes.find(completed).orElseThrow().steps()).isEqualTo(stepsFromHistory(completed))
                .extracting(ResizeView.Step::name).contains("VALIDATE", "APPROVER_DECISION", "APPROVAL", "STORAGE_EXTEND",
                        "VM_RESIZE", "GUEST_NOTIFY", "RECORD_RESULT", "RELEASE_LOCK");
        assertThat(resizes.find(cancelled).orElseThrow().steps()).isEqualTo(stepsFromHistory(cancelled))
                .extracting(ResizeView.Step::status).contains(StepState.FAILED);
        assertThat(cancelledBefore).contains("\"FAILED\"", "by dora", "wrong disk");

        runHistoryCleanup();

        Map<String, Integer> rowsAfter = historyRows(completed, cancelled);
        log.info("after the cleanup: engine history rows of resizes {} and {}: {}", completed, cancelled, rowsAfter);
        assertThat(rowsAfter.values()).containsOnly(0);
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(completed).count()).isZero();
        assertThat(get("/api/resizes/" + completed)).isEqualTo(completedBefore);
        assertThat(get("/api/resizes/" + cancelled)).isEqualTo(cancelledBefore);
        assertThat(get("/api/resizes?disk=" + PATH)).isEqualTo(listBefore);
        assertThat(get("/api/audit?disk=" + PATH)).isEqualTo(auditBefore);
        assertThat(get("/api/audit?disk=" + PATH, "text/csv")).isEqualTo(csvBefore);
        log.info("GET /api/resizes/{} after the cleanup, as before it: {}", completed, completedBefore);
    }

    @Autowired org.vdresize.process.StepBackfill stepBackfill;

    /**
     * A database from before vdresize kept steps and cancellations itself: at start-up the steps of
     * its resizes are copied from the engine's history (before any cleanup can run), and a resize
     * cancelled before the upgrade is still ended with who cancelled it, from the engine's history.
     */
    @Test
    void resizesRecordedBeforeTheUpgradeGetTheirStepsAndCancellationFromTheEngineHistory() throws Exception {
        users();
        world();
        String done = resizes.start(byPath(volumeCapacity + 16 * MIB), "olga").id();
        assertThat(awaitStatus(done, ResizeStatus.COMPLETED).status()).isEqualTo(ResizeStatus.COMPLETED);
        String view = get("/api/resizes/" + done);
        jdbc.update("delete from vdr_resize_step where resize_id = ?", done); // as before the upgrade
        assertThat(resizes.find(done).orElseThrow().steps()).isEmpty();

        assertThat(stepBackfill.copyFromHistory()).isPositive();

        assertThat(get("/api/resizes/" + done)).isEqualTo(view);
        assertThat(stepBackfill.copyFromHistory()).as("once").isZero();

        String waiting = resizes.start(byPath("+2G"), "olga").id();
        awaitStatus(waiting, ResizeStatus.WAITING_FOR_APPROVAL);
        identity.setAuthentication("dora", List.of(Roles.ADMINS));
        try {
            runtime.deleteProcessInstance(waiting, "cancelled before the upgrade", true, true);
        } finally {
            identity.clearAuthentication();
        }
        jdbc.update("delete from vdr_resize_cancellation where resize_id = ?", waiting);
        assertThat(cancelledResizes.endCancelled()).isOne();
        assertThat(resizes.find(waiting).orElseThrow().error().message()).contains("by dora", "cancelled before the upgrade");
    }

    @Autowired org.vdresize.config.HistoryCleanupPlugin historyCleanup;
    @Autowired org.camunda.bpm.engine.ProcessEngine engine;
    @Autowired org.camunda.bpm.engine.RepositoryService repository;

    /**
     * A version deployed when another time to live was configured (or the diagram's former P180D)
     * takes the configured one at start-up, and its instances that already ended are given their
     * removal time again.
     */
    @Test
    void aVersionDeployedWithAnotherTimeToLiveTakesTheConfiguredOneAndItsEndedInstancesFollow() throws Exception {
        users();
        world();
        org.camunda.bpm.engine.repository.ProcessDefinition version = repository.createProcessDefinitionQuery()
                .processDefinitionKey(ResizeProcess.PROCESS_KEY).latestVersion().singleResult();
        assertThat(version.getHistoryTimeToLive()).isZero();
        repository.updateProcessDefinitionHistoryTimeToLive(version.getId(), 180);
        String id = resizes.start(byPath(volumeCapacity), "olga").id(); // a no-op: ends at once
        java.util.Date endedAt = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult().getEndTime();
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult().getRemovalTime())
                .isEqualTo(java.util.Date.from(endedAt.toInstant().plus(java.time.Duration.ofDays(180))));

        historyCleanup.postProcessEngineBuild(engine); // what every start does

        assertThat(repository.getProcessDefinition(version.getId()).getHistoryTimeToLive()).isZero();
        await().pollInSameThread().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            var instance = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
            java.util.Date removal = instance == null ? endedAt : instance.getRemovalTime(); // null: already cleaned up
            assertThat(removal).as("removal time after the batch").isEqualTo(endedAt);
        });
    }

    @Autowired org.vdresize.audit.AuditRetention retention;
    @Autowired org.vdresize.audit.AuditService audit;

    /**
     * The audit trail's own retention: off by default; when run, the oldest events go to CSV files
     * (the export's format, checksummed, listed, itself audited) before they leave the database, and
     * the kept trail verifies INTACT from its new start. A broken part is neither archived nor removed.
     */
    @Test
    void theAuditRetentionArchivesTheOldestEventsAsCsvFirstAndTheKeptTrailStaysIntact() throws Exception {
        users();
        for (java.nio.file.Path old : archiveFiles()) {
            java.nio.file.Files.delete(old);
        }
        assertThat(retention.applyRetention()).as("no vdresize.audit.retention: kept for ever").isEmpty();
        for (int i = 1; i <= 3; i++) {
            audit.record(org.vdresize.audit.AuditType.RESIZE_REJECTED, null, "/pool/old-" + i, null, "olga", null, null,
                    "INVALID_SIZE: old " + i + ", =cmd|' /C calc'!A0");
        }
        Thread.sleep(5);
        Instant cutoff = Instant.now();
        Thread.sleep(5);
        audit.record(org.vdresize.audit.AuditType.RESIZE_REJECTED, null, "/pool/new", null, "olga", null, null, "kept");
        String olderAsExported = get("/api/audit?to=" + cutoff, "text/csv");
        List<String> keptBefore = jdbc.queryForList("select hash from vdr_audit_event where at >= ? order by seq",
                String.class, org.vdresize.common.Db.ts(cutoff));
        long older = jdbc.queryForObject("select count(*) from vdr_audit_event where at < ?", Long.class,
                org.vdresize.common.Db.ts(cutoff));
        assertThat(older).isGreaterThanOrEqualTo(3);
        // the oldest entry changed behind vdresize's back: the retention refuses, nothing is removed, no file is left
        long oldest = jdbc.queryForObject("select min(seq) from vdr_audit_event", Long.class);
        String detail = jdbc.queryForObject("select detail from vdr_audit_event where seq = ?", String.class, oldest);
        jdbc.update("update vdr_audit_event set detail = 'nothing happened' where seq = ?", oldest);
        assertThatThrownBy(() -> retention.archiveBefore(cutoff)).hasMessageContaining("broken at entry " + oldest);
        assertThat(jdbc.queryForObject("select count(*) from vdr_audit_event where at < ?", Long.class,
                org.vdresize.common.Db.ts(cutoff))).isEqualTo(older);
        assertThat(archiveFiles()).isEmpty();
        jdbc.update("update vdr_audit_event set detail = ? where seq = ?", detail, oldest);

        List<org.vdresize.audit.AuditRetention.Archive> archives = retention.archiveBefore(cutoff);

        // retention-batch 2: several files, which together are the export of the same events
        assertThat(archives).hasSize((int) (older + 1) / 2);
        assertThat(archives.stream().mapToLong(org.vdresize.audit.AuditRetention.Archive::events).sum()).isEqualTo(older);
        StringBuilder archived = new StringBuilder();
        for (org.vdresize.audit.AuditRetention.Archive a : archives) {
            byte[] bytes = java.nio.file.Files.readAllBytes(a.file());
            assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)))
                    .isEqualTo(a.sha256());
            String text = new String(bytes, StandardCharsets.UTF_8);
            archived.append(archived.isEmpty() ? text : text.substring(text.indexOf("\r\n") + 2));
        }
        assertThat(archived.toString()).isEqualTo(olderAsExported);
        assertThat(jdbc.queryForObject("select count(*) from vdr_audit_archive", Long.class)).isEqualTo(archives.size());
        assertThat(jdbc.queryForObject("select count(*) from vdr_audit_event where at < ?", Long.class,
                org.vdresize.common.Db.ts(cutoff))).isZero();
        // the kept trail: the same entries, plus one AUDIT_ARCHIVED per file, and intact from its new start
        assertThat(jdbc.queryForList("select hash from vdr_audit_event where at >= ? and type <> 'AUDIT_ARCHIVED' order by seq",
                String.class, org.vdresize.common.Db.ts(cutoff))).isEqualTo(keptBefore);
        assertThat(jdbc.queryForList("select detail from vdr_audit_event where type = 'AUDIT_ARCHIVED' order by seq",
                String.class)).hasSize(archives.size()).allSatisfy(d -> assertThat(d).contains("archived to", "SHA-256"));
        assertThat(get("/api/audit/verify")).contains("\"INTACT\"");
        log.info("audit retention: {} events older than {} archived to {}; GET /api/audit/verify: {}", older, cutoff,
                archives.stream().map(a -> a.file().getFileName() + " (" + a.events() + ")").toList(), get("/api/audit/verify"));
        assertThat(retention.archiveBefore(cutoff)).as("a second run").isEmpty();
    }

    List<java.nio.file.Path> archiveFiles() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("target/audit-archive-test");
        if (!java.nio.file.Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = java.nio.file.Files.list(dir)) {
            return files.toList();
        }
    }

    /** As the cleanup window would, now: the engine's cleanup job, executed until it has nothing more to remove. */
    void runHistoryCleanup() {
        String first = history.cleanUpHistoryAsync(true).getId();
        await().pollInSameThread().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (history.createHistoricProcessInstanceQuery().processDefinitionKey(ResizeProcess.PROCESS_KEY).finished()
                    .count() == 0) {
                return true;
            }
            String job = history.findHistoryCleanupJobs().stream().findFirst().map(Job::getId).orElse(first);
            try {
                management.executeJob(job);
            } catch (OptimisticLockingException | org.camunda.bpm.engine.exception.NullValueException e) {
                // the job executor ran it at the same moment; it reschedules itself
            }
            return false;
        });
    }

    Map<String, Integer> historyRows(String... instances) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        for (String table : HISTORY_TABLES) {
            int n = 0;
            for (String id : instances) {
                n += jdbc.queryForObject("select count(*) from " + table + " where ROOT_PROC_INST_ID_ = ?", Integer.class, id);
            }
            rows.put(table, n);
        }
        return rows;
    }

    /** The steps as vdresize derived them from the engine's history before it kept them itself. */
    List<ResizeView.Step> stepsFromHistory(String id) {
        Map<String, String> details = new java.util.HashMap<>();
        jdbc.query("select activity_instance_id, detail from vdr_step_detail where resize_id = ?",
                (java.sql.ResultSet rs) -> {
                    details.put(rs.getString(1), rs.getString(2));
                }, id);
        List<ResizeView.Step> steps = new ArrayList<>();
        List<HistoricActivityInstance> activities = history.createHistoricActivityInstanceQuery().processInstanceId(id)
                .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list();
        for (HistoricActivityInstance a : activities) {
            StepName name = ResizeProcess.STEP_NAMES.get(a.getActivityId());
            // the wait at the event-based gateway: the engine cancels it when one of its events comes
            boolean failed = a.isCanceled() && !("eventBasedGateway".equals(a.getActivityType())
                    && activities.indexOf(a) < activities.size() - 1);
            if (name != null) {
                steps.add(new ResizeView.Step(name.name(), a.getEndTime() == null ? StepState.RUNNING : failed ? StepState.FAILED : StepState.DONE,
                        instant(a.getStartTime()), instant(a.getEndTime()), details.get(a.getId())));
            }
        }
        return steps;
    }

    static Instant instant(java.util.Date date) {
        return date == null ? null : date.toInstant();
    }

    String get(String path) throws Exception {
        return get(path, "application/json");
    }

    String get(String path, String accept) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("hana:hana-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
        return response.body();
    }

    void users() {
        for (String[] u : new String[][] {{"olga", Roles.OPERATORS}, {"carl", Roles.APPROVERS}, {"hana", Roles.AUDITORS}}) {
            if (identity.createUserQuery().userId(u[0]).count() == 0) {
                User user = identity.newUser(u[0]);
                user.setPassword(u[0] + "-secret");
                identity.saveUser(user);
                identity.createMembership(u[0], u[1]);
            }
        }
    }

    void approve(String resizeId, String approver) {
        org.camunda.bpm.engine.task.Task task = tasks.createTaskQuery().processInstanceId(resizeId).singleResult();
        identity.setAuthentication(approver, List.of(Roles.APPROVERS));
        try {
            tasks.complete(task.getId(), Map.of("approved", true, "approvalComment", "room enough"));
        } finally {
            identity.clearAuthentication();
        }
    }

    ResizeView awaitStatus(String id, ResizeStatus status) {
        return await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> resizes.find(id).orElseThrow(), view -> view.status() == status);
    }

    static ResizeRequest byPath(Object size) {
        return new ResizeRequest(null, null, null, null, PATH, size, null, null, "history test");
    }

    /** One raw volume in pool p, used by one running VM without a guest agent. */
    void world() {
        Vm vm = new Vm("local", "hvm", "hvm-uuid", VmState.RUNNING,
                List.of(new VmDisk("vdb", "virtio", "disk", PATH, "raw", false, true, null)));
        when(guestAgent.command(anyString(), anyString(), anyString(), anyInt()))
                .thenThrow(new GuestAgentUnavailableException("QEMU guest agent is not configured", null));
        when(inventory.vms()).thenReturn(List.of(vm));
        when(inventory.vmsUsing(anyString())).thenCallRealMethod();
        when(inventory.volumesBackedBy(anyString())).thenCallRealMethod();
        when(hypervisor.grow(anyString(), anyString(), anyString(), anyLong())).thenCallRealMethod();
        when(inventory.findVm(anyString())).thenAnswer(i -> Optional.of(vm)
                .filter(v -> v.name().equals(i.getArgument(0)) || v.uuid().equals(i.getArgument(0))));
        when(inventory.volumes()).thenAnswer(i -> List.of(volume()));
        when(inventory.volumeByPath(PATH)).thenAnswer(i -> Optional.of(volume()));
        when(inventory.findPool("p")).thenReturn(Optional.of(new StoragePool("local", "p", "dir", "/pool", 1L << 40, 0, 1L << 40)));
        when(storage.volume("local", "p", "h.img")).thenAnswer(i -> volume());
        doAnswer(i -> volumeCapacity = i.getArgument(3)).when(storage).grow(eq("local"), eq("p"), eq("h.img"), anyLong(), anyBoolean());
        when(hypervisor.blockInfo(eq("local"), anyString(), eq("vdb"))).thenAnswer(i -> {
            long c = qemuCapacity.getOrDefault(i.<String>getArgument(1), volumeCapacity);
            return new BlockInfo(c, 0, c);
        });
        doAnswer(i -> qemuCapacity.put(i.getArgument(1), i.getArgument(3)))
                .when(hypervisor).blockResize(eq("local"), anyString(), eq("vdb"), anyLong());
    }

    StorageVolume volume() {
        return new StorageVolume("local", "p", "h.img", PATH, "raw", volumeCapacity, 0, null);
    }
}
