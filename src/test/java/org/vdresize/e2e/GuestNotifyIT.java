package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.vdresize.testsupport.GuestImage;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * Step 7 against a real Linux guest with qemu-guest-agent under QEMU (TCG): the guest sees the
 * new size of a virtio-blk and a virtio-scsi disk, ext4 grows online on a whole disk and on a
 * partition, xfs grows online, and a VM without an agent still completes (NO_AGENT). Every check
 * of the guest's view is made independently, through the agent, by the test itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:guest;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true"})
class GuestNotifyIT {

    private static final Logger log = LoggerFactory.getLogger(GuestNotifyIT.class);
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    @LocalServerPort int port;
    LibvirtFixture lv;
    String guest;
    ApiClient api;

    @BeforeAll
    void bootGuest() throws Exception {
        lv = LibvirtFixture.create();
        Path blk = lv.createQcow2("g-blk.qcow2", 128 * MIB);
        Path scsi = lv.createRawSparse("g-scsi.img", 128 * MIB);
        Path xfs = lv.createQcow2("g-xfs.qcow2", 320 * MIB);
        Path plain = lv.createQcow2("g-plain.qcow2", 64 * MIB);
        Path noSerial = lv.createQcow2("g-noserial.qcow2", 64 * MIB);
        guest = lv.startGuest("guest", List.of(
                new GuestImage.Disk(blk, "qcow2", "vdb", "virtio", "vdr-blk"),
                new GuestImage.Disk(scsi, "raw", "sdb", "scsi", "vdr-scsi"),
                new GuestImage.Disk(xfs, "qcow2", "vdc", "virtio", "vdr-xfs"),
                new GuestImage.Disk(plain, "qcow2", "vdd", "virtio", "vdr-plain"),
                new GuestImage.Disk(noSerial, "qcow2", "vde", "virtio", null)));

        // filesystems, made by the test inside the guest before any resize
        String blkDev = GuestImage.guestDiskBySerial(guest, "vdr-blk");
        exec("mkfs.ext4", "-q", "/dev/" + blkDev);
        exec("mkdir", "-p", "/mnt/blk");
        exec("mount", "/dev/" + blkDev, "/mnt/blk");
        String scsiDev = GuestImage.guestDiskBySerial(guest, "vdr-scsi");
        execIn("label: dos\n,,L\n", "sfdisk", "-q", "/dev/" + scsiDev);
        exec("mkfs.ext4", "-q", "/dev/" + scsiDev + "1");
        exec("mkdir", "-p", "/mnt/part");
        exec("mount", "/dev/" + scsiDev + "1", "/mnt/part");
        String xfsDev = GuestImage.guestDiskBySerial(guest, "vdr-xfs");
        exec("mkfs.xfs", "-q", "/dev/" + xfsDev);
        exec("mkdir", "-p", "/mnt/xfs");
        exec("mount", "-t", "xfs", "/dev/" + xfsDev, "/mnt/xfs");
    }

    @AfterAll
    void cleanUp() {
        lv.close();
    }

    void exec(String program, String... args) {
        execIn(null, program, args);
    }

    void execIn(String stdin, String program, String... args) {
        GuestImage.guestRun(guest, stdin, program, args);
    }

    /** The filesystem size the guest reports for a mount point, asked by the test itself. */
    long fsSize(String mountpoint) {
        for (JsonNode fs : GuestImage.agentCommand(guest, "{\"execute\":\"guest-get-fsinfo\"}").get("return")) {
            if (fs.path("mountpoint").asText().equals(mountpoint)) {
                return fs.path("total-bytes").asLong();
            }
        }
        throw new AssertionError("nothing mounted on " + mountpoint);
    }

    JsonNode resize(String target, String size, boolean growFilesystem) {
        api = new ApiClient(port, "demo", "demo");
        ApiClient.Response r = api.post("/api/resizes", "{\"vm\":\"" + guest + "\",\"target\":\"" + target
                + "\",\"size\":\"" + size + "\",\"growFilesystem\":" + growFilesystem + "}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(202);
        JsonNode done = api.awaitEnd(r.body().get("id").asText(), TIMEOUT);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        for (JsonNode step : done.get("steps")) {
            if (step.get("name").asText().equals("GUEST_NOTIFY") && !step.get("endedAt").isNull()) {
                log.info("guest step for {} took {} ms: {}", target, Duration.between(Instant.parse(step.get("startedAt").asText()),
                        Instant.parse(step.get("endedAt").asText())).toMillis(), step.get("detail").asText());
            }
        }
        return done;
    }

    @Test
    void ext4OnAWholeVirtioDiskGrowsOnline() {
        long before = fsSize("/mnt/blk");
        JsonNode done = resize("vdb", "+64M", true);

        JsonNode g = done.at("/guest/0");
        assertThat(g.get("status").asText()).isEqualTo("SEEN");
        assertThat(g.get("guestSize").asLong()).isEqualTo(192 * MIB);
        assertThat(GuestImage.guestDiskSize(guest, GuestImage.guestDiskBySerial(guest, "vdr-blk"))).isEqualTo(192 * MIB);
        assertThat(g.at("/filesystem/status").asText()).isEqualTo("GROWN");
        assertThat(g.at("/filesystem/type").asText()).isEqualTo("ext4");
        long after = fsSize("/mnt/blk");
        assertThat(after).isGreaterThan(before + 50 * MIB);
        assertThat(g.at("/filesystem/sizeBefore").asLong()).isEqualTo(before);
        assertThat(g.at("/filesystem/sizeAfter").asLong()).isEqualTo(after);
        log.info("ext4 on a whole disk: {} -> {} bytes", before, after);
    }

    @Test
    void ext4OnTheLastPartitionOfAScsiDiskGrowsOnline() {
        long before = fsSize("/mnt/part");
        JsonNode done = resize("sdb", "+64M", true);

        JsonNode g = done.at("/guest/0");
        assertThat(g.get("status").asText()).isIn("SEEN", "RESCANNED");
        assertThat(g.get("guestSize").asLong()).isEqualTo(192 * MIB);
        assertThat(g.at("/filesystem/status").asText()).isEqualTo("GROWN");
        long after = fsSize("/mnt/part");
        assertThat(after).isGreaterThan(before + 50 * MIB);
        log.info("ext4 on a partition: {} -> {} bytes", before, after);
    }

    @Test
    void xfsGrowsOnline() {
        long before = fsSize("/mnt/xfs");
        JsonNode done = resize("vdc", "+128M", true);

        assertThat(done.at("/guest/0/filesystem/status").asText()).isEqualTo("GROWN");
        assertThat(done.at("/guest/0/filesystem/type").asText()).isEqualTo("xfs");
        long after = fsSize("/mnt/xfs");
        assertThat(after).isGreaterThan(before + 100 * MIB);
        log.info("xfs: {} -> {} bytes", before, after);
    }

    @Test
    void withoutGrowFilesystemTheGuestIsOnlyAskedWhatItSees() {
        JsonNode done = resize("vdd", "+16M", false);
        assertThat(done.at("/guest/0/status").asText()).isEqualTo("SEEN");
        assertThat(done.at("/guest/0/guestSize").asLong()).isEqualTo(80 * MIB);
        assertThat(done.at("/guest/0/filesystem").isNull()).isTrue();
    }

    @Test
    void aDiskWithoutSerialCannotBeFoundSafelyButTheResizeCompletes() {
        JsonNode done = resize("vde", "+16M", true);
        assertThat(done.at("/guest/0/status").asText()).isEqualTo("FAILED");
        assertThat(lv.domblkinfoCapacity(guest, "vde")).isEqualTo(80 * MIB);
        JsonNode audit = api.get("/api/audit?disk=" + done.at("/disk/path").asText()).body();
        assertThat(audit.findValuesAsText("type")).contains("GUEST_NOTIFY_FAILED", "RESIZE_COMPLETED");
    }

    @Test
    void aVmWithoutAgentCompletesWithNoAgent() {
        Path disk = lv.createQcow2("g-noagent.qcow2", 32 * MIB);
        String vm = lv.startVm("noagent", LibvirtFixture.Disk.virtio(disk, "vdb").withSerial("vdr-noagent"));
        api = new ApiClient(port, "demo", "demo");
        ApiClient.Response r = api.post("/api/resizes", "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+16M\"}");
        JsonNode done = api.awaitEnd(r.body().get("id").asText(), TIMEOUT);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.at("/guest/0/status").asText()).isEqualTo("NO_AGENT");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(48 * MIB);
    }
}
