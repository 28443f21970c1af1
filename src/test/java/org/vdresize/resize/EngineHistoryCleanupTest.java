package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.when;

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
 * views (GET /api/resizes/{id}) and the audit trail (GET /api/audit) answer exactly as before. The
 * whole application over HTTP, with libvirt's ports faked as in {@link ResizeFlowTest}, and a time
 * to live of 0 days so that a resize's history is due for removal as soon as it ends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:history-cleanup;DB_CLOSE_DELAY=-1",
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1073741824",
        "vdresize.history.time-to-live=P0D",
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
                .extracting(ResizeView.Step::status).contains("FAILED");
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
        long end = System.currentTimeMillis() + 30_000;
        java.util.Date removal = null;
        while (System.currentTimeMillis() < end) {
            var instance = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
            removal = instance == null ? endedAt : instance.getRemovalTime(); // null: already cleaned up
            if (endedAt.equals(removal)) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(removal).as("removal time after the batch").isEqualTo(endedAt);
    }

    /** As the cleanup window would, now: the engine's cleanup job, executed until it has nothing more to remove. */
    void runHistoryCleanup() throws InterruptedException {
        Job job = history.cleanUpHistoryAsync(true);
        long end = System.currentTimeMillis() + 30_000;
        while (history.createHistoricProcessInstanceQuery().processDefinitionKey(ResizeProcess.PROCESS_KEY).finished()
                .count() > 0 && System.currentTimeMillis() < end) {
            try {
                management.executeJob(job.getId());
            } catch (OptimisticLockingException | org.camunda.bpm.engine.exception.NullValueException e) {
                // the job executor ran it at the same moment; it reschedules itself
            }
            Thread.sleep(200);
            job = history.findHistoryCleanupJobs().stream().findFirst().orElse(job);
        }
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
        for (HistoricActivityInstance a : history.createHistoricActivityInstanceQuery().processInstanceId(id)
                .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list()) {
            String name = ResizeProcess.STEP_NAMES.get(a.getActivityId());
            if (name != null) {
                steps.add(new ResizeView.Step(name, a.getEndTime() == null ? "RUNNING" : a.isCanceled() ? "FAILED" : "DONE",
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

    ResizeView awaitStatus(String id, ResizeStatus status) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        ResizeView view = resizes.find(id).orElseThrow();
        while (view.status() != status && System.currentTimeMillis() < end) {
            Thread.sleep(20);
            view = resizes.find(id).orElseThrow();
        }
        return view;
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
