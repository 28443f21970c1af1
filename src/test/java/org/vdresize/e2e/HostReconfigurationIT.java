package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.e2e.DiskOracle.accepted;
import static org.vdresize.e2e.DiskOracle.awaitEnd;
import static org.vdresize.e2e.DiskOracle.json;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.PrivateLibvirtd;
import org.vdresize.testsupport.TestFiles;

/**
 * A libvirt host added to or removed from the configuration is picked up by a restart of the
 * application (docs/hosts.md, "Adding or removing a host later"), and the resizes that wait on the
 * other hosts meanwhile are not lost: they complete after the restart. Three hosts: {@code local}
 * (qemu:///system) and two private libvirtds ({@link PrivateLibvirtd}), each with a VM of its own.
 * The packaged jar runs as a separate JVM ({@link AppJvm}) on one H2 file database; a growth above
 * 1 MiB waits for approval, which keeps a resize unfinished across the restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostReconfigurationIT {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    static LibvirtFixture local;
    static LibvirtFixture onH2;
    static LibvirtFixture onH3;
    static PrivateLibvirtd h2;
    static PrivateLibvirtd h3;
    static Path work;
    static AppJvm app;
    static int started;
    static String localVm;
    static String h2Vm;
    static String h3Vm;
    static Path h2Disk;
    static Path h3Disk;

    @BeforeAll
    static void environment() throws IOException {
        if (!Files.isRegularFile(AppJvm.JAR)) {
            throw new IllegalStateException(AppJvm.JAR.toAbsolutePath() + " is missing: build it first with "
                    + "'mvn -B -DskipTests package' (failsafe runs after package)");
        }
        AppJvm.removeLeftovers(TestFiles::deleteRecursively);
        work = AppJvm.workFolder("hosts");
        local = LibvirtFixture.create();
        h2 = PrivateLibvirtd.create();
        h3 = PrivateLibvirtd.create();
        onH2 = LibvirtFixture.create(h2.uri(), null);
        onH3 = LibvirtFixture.create(h3.uri(), null);
        localVm = local.startVm("local", Disk.virtio(local.createQcow2("local.qcow2", 16 * MIB), "vdb"));
        h2Disk = onH2.createQcow2("h2.qcow2", 16 * MIB);
        h2Vm = onH2.startVm("onh2", Disk.virtio(h2Disk, "vdb"));
        h3Disk = onH3.createQcow2("h3.qcow2", 16 * MIB);
        h3Vm = onH3.startVm("onh3", Disk.virtio(h3Disk, "vdb"));
    }

    @AfterAll
    static void cleanUp() {
        if (app != null) {
            app.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {onH2, onH3, h2, h3, local}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others are still cleaned up
            }
        }
        if (work != null) {
            TestFiles.keepLogs(work, "HostReconfigurationIT");
            TestFiles.deleteRecursively(work);
        }
    }

    @Test
    @Order(1)
    void aHostAddedByARestartIsAskedAndTheResizesWaitingOnTheOthersComplete() {
        app = start("h2");
        ApiClient api = app.api();
        String onLocal = waitingForApproval(api, localVm);
        String onH2Waiting = waitingForApproval(api, h2Vm);
        assertThat(names(api.get("/api/hosts").body())).containsExactly("local", "h2");

        app.stop();
        app = start("h2", "h3");
        api = app.api();

        JsonNode hosts = api.get("/api/hosts").body();
        assertThat(names(hosts)).containsExactly("local", "h2", "h3");
        assertThat(hosts).allSatisfy(h -> assertThat(h.path("available").asBoolean()).as(h.toString()).isTrue());
        JsonNode onNewHost = disk(api.getAll("/api/disks"), h3Disk);
        assertThat(onNewHost).as("the new host's disk is listed").isNotNull();
        assertThat(onNewHost.at("/vms/0/host").asText()).isEqualTo("h3");
        assertThat(onNewHost.path("resizable").asBoolean()).as(onNewHost.toString()).isTrue();

        assertThat(api.get("/api/resizes/" + onLocal).body().path("status").asText()).isEqualTo("WAITING_FOR_APPROVAL");
        approve(onLocal);
        approve(onH2Waiting);
        awaitEnd(api, onLocal, "COMPLETED", TIMEOUT);
        awaitEnd(api, onH2Waiting, "COMPLETED", TIMEOUT);
        assertThat(local.domblkinfoCapacity(localVm, "vdb")).isEqualTo(18 * MIB);
        assertThat(onH2.domblkinfoCapacity(h2Vm, "vdb")).isEqualTo(18 * MIB);

        // and the new host's VM resizes (+1 MiB needs no approval)
        awaitEnd(api, accepted(api, json("{'vm':'%s','target':'vdb','size':'+1M','notifyGuest':false}", h3Vm)),
                "COMPLETED", TIMEOUT);
        assertThat(onH3.domblkinfoCapacity(h3Vm, "vdb")).isEqualTo(17 * MIB);
    }

    @Test
    @Order(2)
    void aHostRemovedByARestartIsNoLongerAskedAndTheResizesWaitingOnTheOthersComplete() {
        if (app == null || !app.isAlive()) {
            app = start("h2", "h3");
        }
        ApiClient api = app.api();
        String onLocal = waitingForApproval(api, localVm);
        String onH3Waiting = waitingForApproval(api, h3Vm);
        String onRemoved = waitingForApproval(api, h2Vm);
        long h2Before = onH2.domblkinfoCapacity(h2Vm, "vdb");

        app.stop();
        app = start("h3");
        api = app.api();

        assertThat(names(api.get("/api/hosts").body())).containsExactly("local", "h3");
        JsonNode disks = api.getAll("/api/disks");
        assertThat(disk(disks, h2Disk)).as("the removed host is no longer asked").isNull();
        assertThat(disk(disks, h3Disk)).isNotNull();

        approve(onLocal);
        approve(onH3Waiting);
        awaitEnd(api, onLocal, "COMPLETED", TIMEOUT);
        awaitEnd(api, onH3Waiting, "COMPLETED", TIMEOUT);
        assertThat(local.domblkinfoCapacity(localVm, "vdb")).isEqualTo(20 * MIB);
        assertThat(onH3.domblkinfoCapacity(h3Vm, "vdb")).isEqualTo(19 * MIB);

        // the resize of the removed host's VM cannot run its storage step: the step fails naming the host
        // and is retried (then an incident, for a person: add the host back, or cancel), nothing changes
        approve(onRemoved);
        ApiClient engine = api;
        DiskOracle.await("the step of " + onRemoved + " fails for want of its host", TIMEOUT, () -> StreamSupport.stream(
                engine.get("/engine-rest/job?processInstanceId=" + onRemoved).body().spliterator(), false)
                .anyMatch(job -> job.path("exceptionMessage").asText().contains("no libvirt host named h2")));
        assertThat(api.get("/api/resizes/" + onRemoved).body().path("status").asText()).isEqualTo("RUNNING");
        assertThat(onH2.domblkinfoCapacity(h2Vm, "vdb")).as("the removed host's disk is unchanged").isEqualTo(h2Before);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The application with {@code local} and the named private hosts, on the same database each time. */
    private static AppJvm start(String... privateHosts) {
        List<String> args = new ArrayList<>(List.of("--vdresize.approval.growth-bytes=1048576"));
        int i = 1;
        for (String name : privateHosts) {
            args.add("--vdresize.hosts[" + i + "].name=" + name);
            args.add("--vdresize.hosts[" + i + "].uri=" + ("h2".equals(name) ? h2 : h3).uri());
            i++;
        }
        return AppJvm.start(work, work.resolve("app-" + (++started) + ".log"), args.toArray(String[]::new));
    }

    /** A +2 MiB resize of the VM's vdb, left waiting for approval. */
    private static String waitingForApproval(ApiClient api, String vm) {
        String id = accepted(api, json("{'vm':'%s','target':'vdb','size':'+2M','notifyGuest':false}", vm));
        DiskOracle.await("resize " + id + " waits for approval", TIMEOUT,
                () -> "WAITING_FOR_APPROVAL".equals(api.get("/api/resizes/" + id).body().path("status").asText()));
        return id;
    }

    /** Approved by an approver (demo requested it, and may not approve it: four eyes). */
    private static void approve(String id) {
        ApiClient approver = new ApiClient(app.baseUrl(), null, "approver", "approver");
        JsonNode tasks = approver.get("/engine-rest/task?processInstanceId=" + id).body();
        assertThat(tasks).as("the approval task of " + id).hasSize(1);
        ApiClient.Response done = approver.post("/engine-rest/task/" + tasks.get(0).get("id").asText() + "/complete",
                "{\"variables\":{\"approved\":{\"value\":true,\"type\":\"Boolean\"}}}");
        assertThat(done.status()).as(String.valueOf(done.body())).isEqualTo(204);
    }

    private static List<String> names(JsonNode hosts) {
        return StreamSupport.stream(hosts.spliterator(), false).map(h -> h.path("name").asText()).toList();
    }

    private static JsonNode disk(JsonNode disks, Path path) {
        return StreamSupport.stream(disks.spliterator(), false).filter(d -> path.toString().equals(d.path("path").asText()))
                .findFirst().orElse(null);
    }

    /** The applications' logs go where failsafe keeps its reports, for the post-mortem. */
}
