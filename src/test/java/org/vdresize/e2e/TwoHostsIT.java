package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.vdresize.testsupport.Cmd;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.PrivateLibvirtd;

/**
 * One application, two libvirt hosts: {@code local} (qemu:///system) and {@code h2}, a second
 * libvirtd in its own mount namespace (PrivateLibvirtd) that this test starts and kills. The storage
 * pool is shared: the same directory is a pool on both hosts, and h2 owns it
 * ({@code vdresize.hosts[1].owns-pools}). A VM runs on each host.
 * <ul>
 *   <li>the inventory merges both hosts, listing a volume of the shared pool once;</li>
 *   <li>a VM on each host is resized through the one application, on its own host;</li>
 *   <li>a floating volume of the shared pool is grown by its owner, h2;</li>
 *   <li>a VM that migrates to h2 while its resize waits for approval is resized on h2, where it
 *       runs at the moment of its step;</li>
 *   <li>h2 killed (kill -9 of its libvirtd): its disks show as not resizable (UNAVAILABLE) in
 *       /api/disks, a resize of its VM is answered 503, and local's disks still resize.</li>
 * </ul>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:twohosts;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        // growth above 1 MiB waits for approval: the moment to move a VM to the other host
        "vdresize.approval.growth-bytes=1048576"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoHostsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    static LibvirtFixture lv;
    static PrivateLibvirtd h2;
    /** the local VM's disk; the h2 VM's disk; the VM that migrates; a floating raw volume (all in the shared pool) */
    static Path localDisk;
    static Path h2Disk;
    static Path movingDisk;
    static Path floating;
    static String localVm;
    static String h2Vm;
    static String movingVm;

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    ApiClient api;

    @DynamicPropertySource
    static void hosts(DynamicPropertyRegistry registry) {
        setUp();
        registry.add("vdresize.hosts[0].name", () -> "local");
        registry.add("vdresize.hosts[0].uri", () -> LibvirtFixture.URI);
        registry.add("vdresize.hosts[1].name", () -> "h2");
        registry.add("vdresize.hosts[1].uri", h2::uri);
        registry.add("vdresize.hosts[1].owns-pools[0]", lv::poolName);
    }

    static synchronized void setUp() {
        if (lv != null) {
            return;
        }
        lv = LibvirtFixture.create();
        h2 = PrivateLibvirtd.create();
        // the same directory as a pool of h2, under the same name: shared storage
        virshH2("pool-define-as", lv.poolName(), "dir", "--target", lv.poolDir().toString());
        virshH2("pool-start", lv.poolName());
        localDisk = lv.createQcow2("local.qcow2", 16 * MIB);
        h2Disk = lv.createQcow2("h2.qcow2", 16 * MIB);
        movingDisk = lv.createQcow2("moving.qcow2", 16 * MIB);
        floating = lv.createRawSparse("floating.img", 16 * MIB);
        virshH2("pool-refresh", lv.poolName());
        localVm = lv.startVm("local", Disk.virtio(localDisk, "vdb"));
        movingVm = lv.startVm("moving", Disk.virtio(movingDisk, "vdb"));
        h2Vm = lv.name("onh2");
        defineAndStartOnH2(h2Vm, h2Disk);
    }

    @AfterAll
    static void tearDown() {
        if (h2 != null) {
            h2.close(); // kills its QEMUs (the VM on h2, the one that moved there) and its daemon
        }
        if (lv != null) {
            lv.close();
        }
    }

    @BeforeEach
    void client() {
        api = new ApiClient(port, "demo", "demo");
    }

    @Test
    @Order(1)
    void theInventoryMergesBothHostsAndListsASharedVolumeOnce() {
        JsonNode hosts = api.get("/api/hosts").body();
        assertThat(hosts).hasSize(2).allSatisfy(h -> assertThat(h.path("available").asBoolean()).as(h.toString()).isTrue());

        JsonNode disks = api.getAll("/api/disks");
        assertThat(entries(disks, localDisk)).hasSize(1);
        assertThat(entries(disks, h2Disk)).hasSize(1);
        assertThat(entries(disks, floating)).as("a volume of the shared pool, seen by both hosts").hasSize(1);
        JsonNode onLocal = entries(disks, localDisk).get(0);
        JsonNode onH2 = entries(disks, h2Disk).get(0);
        assertThat(onLocal.at("/vms/0/host").asText()).isEqualTo("local");
        assertThat(onH2.at("/vms/0/host").asText()).isEqualTo("h2");
        assertThat(onH2.path("host").asText()).as("listed from the pool's owner").isEqualTo("h2");
        assertThat(onLocal.path("resizable").asBoolean()).isTrue();
        assertThat(onH2.path("resizable").asBoolean()).isTrue();
    }

    @Test
    @Order(2)
    void aVmOnEachHostIsResizedThroughOneApplicationOnItsOwnHost() {
        JsonNode local = resize("{\"vm\":\"" + localVm + "\",\"target\":\"vdb\",\"size\":\"+1M\",\"notifyGuest\":false}");
        JsonNode remote = resize("{\"vm\":\"" + h2Vm + "\",\"target\":\"vdb\",\"size\":\"+1M\",\"notifyGuest\":false}");

        assertThat(local.at("/vms/0/host").asText()).isEqualTo("local");
        assertThat(remote.at("/vms/0/host").asText()).isEqualTo("h2");
        assertThat(lv.domblkinfoCapacity(localVm, "vdb")).isEqualTo(17 * MIB);
        assertThat(domblkinfoOnH2(h2Vm, "vdb")).isEqualTo(17 * MIB);
    }

    @Test
    @Order(3)
    void aFloatingVolumeOfTheSharedPoolIsGrownByItsOwner() {
        JsonNode done = resize("{\"pool\":\"" + lv.poolName() + "\",\"volume\":\"floating.img\",\"size\":\"+1M\"}");

        assertThat(jdbc.queryForObject("select host from vdr_storage_job where resize_id = ?", String.class,
                done.get("id").asText())).isEqualTo("h2");
        assertThat(lv.fileSize(floating)).isEqualTo(17 * MIB);
    }

    @Test
    @Order(4)
    void aVmThatMovesToTheOtherHostBeforeItsStepIsResizedWhereItRunsThen() {
        ApiClient.Response started = api.post("/api/resizes",
                "{\"vm\":\"" + movingVm + "\",\"target\":\"vdb\",\"size\":\"+2M\",\"notifyGuest\":false}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
        String id = started.body().get("id").asText();
        JsonNode waiting = awaitStatus(id, "WAITING_FOR_APPROVAL");
        assertThat(waiting.at("/vms/0/host").asText()).as("where it ran when requested").isEqualTo("local");

        // live migration to h2 (both see the image: the pool is shared)
        Cmd.run("virsh", "-q", "-c", LibvirtFixture.URI, "migrate", "--live", "--unsafe", movingVm, h2.uri());
        assertThat(Cmd.run("virsh", "-q", "-c", h2.uri(), "domstate", movingVm).strip()).isEqualTo("running");

        JsonNode tasks = api.get("/engine-rest/task?processInstanceId=" + id).body();
        assertThat(tasks).hasSize(1);
        // by an approver: demo requested it, and may not approve it (four eyes)
        ApiClient.Response approved = new ApiClient(port, "approver", "approver").post(
                "/engine-rest/task/" + tasks.get(0).get("id").asText() + "/complete",
                "{\"variables\":{\"approved\":{\"value\":true,\"type\":\"Boolean\"}}}");
        assertThat(approved.status()).as(String.valueOf(approved.body())).isEqualTo(204);

        JsonNode done = api.awaitEnd(id, TIMEOUT);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.at("/vms/0/host").asText()).as("resized where it ran at the moment of its step").isEqualTo("h2");
        assertThat(domblkinfoOnH2(movingVm, "vdb")).isEqualTo(18 * MIB);
    }

    @Test
    @Order(5)
    void aKilledHostDegradesOnlyTheDisksItServes() {
        killH2Daemon();

        JsonNode hosts = api.get("/api/hosts").body();
        JsonNode h2Status = StreamSupport.stream(hosts.spliterator(), false)
                .filter(h -> "h2".equals(h.path("name").asText())).findFirst().orElseThrow();
        assertThat(h2Status.path("available").asBoolean()).isFalse();

        JsonNode disks = api.getAll("/api/disks");
        JsonNode onH2 = entries(disks, h2Disk).get(0);
        assertThat(onH2.path("resizable").asBoolean()).as(onH2.toString()).isFalse();
        assertThat(onH2.path("notResizableBecause").asText()).isEqualTo("UNAVAILABLE");
        assertThat(onH2.at("/vms/0/host").asText()).isEqualTo("h2");
        JsonNode moved = entries(disks, movingDisk).get(0);
        assertThat(moved.path("notResizableBecause").asText()).as("the VM that moved to h2: " + moved).isEqualTo("UNAVAILABLE");
        JsonNode onLocal = entries(disks, localDisk).get(0);
        assertThat(onLocal.path("resizable").asBoolean()).as(onLocal.toString()).isTrue();

        ApiClient.Response refused = api.post("/api/resizes",
                "{\"vm\":\"" + h2Vm + "\",\"target\":\"vdb\",\"size\":\"+1M\",\"notifyGuest\":false}");
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(503);
        assertThat(refused.body().path("code").asText()).isEqualTo("UNAVAILABLE");

        JsonNode local = resize("{\"vm\":\"" + localVm + "\",\"target\":\"vdb\",\"size\":\"+1M\",\"notifyGuest\":false}");
        assertThat(local.at("/vms/0/host").asText()).isEqualTo("local");
        assertThat(lv.domblkinfoCapacity(localVm, "vdb")).isEqualTo(18 * MIB);
    }

    // ---- helpers -------------------------------------------------------------------------------

    JsonNode resize(String body) {
        ApiClient.Response response = api.post("/api/resizes", body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        JsonNode done = api.awaitEnd(response.body().get("id").asText(), TIMEOUT);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        return done;
    }

    JsonNode awaitStatus(String id, String status) {
        return await().pollInSameThread().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> api.get("/api/resizes/" + id).body(), resize -> status.equals(resize.path("status").asText()));
    }

    static List<JsonNode> entries(JsonNode disks, Path path) {
        return StreamSupport.stream(disks.spliterator(), false).filter(d -> path.toString().equals(d.path("path").asText())).toList();
    }

    static String virshH2(String... args) {
        String[] command = new String[args.length + 4];
        command[0] = "virsh";
        command[1] = "-q";
        command[2] = "-c";
        command[3] = h2.uri();
        System.arraycopy(args, 0, command, 4, args.length);
        return Cmd.run(command);
    }

    static long domblkinfoOnH2(String vm, String target) {
        for (String line : virshH2("domblkinfo", vm, target).lines().toList()) {
            String[] parts = line.trim().split(":\\s*");
            if (parts.length == 2 && parts[0].equals("Capacity")) {
                return Long.parseLong(parts[1].trim());
            }
        }
        throw new IllegalStateException("no capacity of " + vm + " " + target + " on h2");
    }

    /** A no-OS domain like LibvirtFixture's, defined and started on h2. */
    static void defineAndStartOnH2(String name, Path disk) {
        String xml = "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
                + "<on_reboot>destroy</on_reboot><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                + "<source file='" + disk + "'/><target dev='vdb' bus='virtio'/></disk></devices></domain>";
        try {
            Path file = Files.createTempFile(lv.poolDir().getParent(), lv.name("h2dom"), ".xml");
            try {
                Files.writeString(file, xml);
                virshH2("define", file.toString());
                virshH2("start", name);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill -9 of h2's libvirtd, by the pid in its pid file (never by name); its QEMUs keep running. */
    static void killH2Daemon() {
        Path socket = Path.of(h2.uri().substring(h2.uri().indexOf("socket=") + "socket=".length()));
        Path pidFile = socket.getParent().getParent().resolve("libvirtd.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> daemon = ProcessHandle.of(pid)
                    .filter(p -> p.info().command().map(c -> c.contains("libvirtd")).orElse(false));
            assertThat(daemon).as("h2's libvirtd (pid " + pid + ")").isPresent();
            daemon.get().destroyForcibly();
            daemon.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot kill h2's libvirtd: " + e, e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
