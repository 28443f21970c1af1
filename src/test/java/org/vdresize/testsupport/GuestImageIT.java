package org.vdresize.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.GuestImage.agentCommand;
import static org.vdresize.testsupport.GuestImage.guestDiskBySerial;
import static org.vdresize.testsupport.GuestImage.guestDiskSize;
import static org.vdresize.testsupport.GuestImage.host;
import static org.vdresize.testsupport.GuestImage.virsh;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Boots the test guest once under real QEMU (TCG) with a virtio-blk and a virtio-scsi disk, and checks that its
 * agent answers and that it sees both disks grow after {@code virsh blockresize}. No Spring context.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuestImageIT {

    static final String PREFIX = "vdr-it-guest-";
    static final long MIB = 1L << 20;

    Path dir;
    Path console;
    String domain;

    @BeforeAll
    void boot() throws IOException {
        GuestImage image = GuestImage.get();
        GuestImage.removeLeftovers(PREFIX);
        dir = Files.createTempDirectory("vdr-it-guest");
        console = dir.resolve("console.log");
        Path blk = dir.resolve("blk.qcow2");
        Path scsi = dir.resolve("scsi.raw");
        host("qemu-img", "create", "-q", "-f", "qcow2", blk.toString(), "128M");
        host("qemu-img", "create", "-q", "-f", "raw", scsi.toString(), "128M");
        domain = PREFIX + Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.nanoTime() % 46656, 36);
        Path xml = dir.resolve("domain.xml");
        Files.writeString(xml, image.domainXml(domain, List.of(
                new GuestImage.Disk(blk, "qcow2", "vdb", "virtio", "vdr-blk"),
                new GuestImage.Disk(scsi, "raw", "sdb", "scsi", "vdr-scsi")), console));
        virsh("define", xml.toString());
        virsh("start", domain);
        Duration took = GuestImage.waitForAgent(domain, Duration.ofMinutes(3), console);
        System.out.println("[GuestImageIT] " + domain + ": guest agent answered " + took.toMillis() + " ms after start");
    }

    @AfterAll
    void cleanUp() throws IOException {
        if (domain != null) {
            GuestImage.removeDomain(domain);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void agentAnswers() {
        assertThat(agentCommand(domain, "{\"execute\":\"guest-ping\"}").get("return").isObject()).isTrue();
        JsonNode info = agentCommand(domain, "{\"execute\":\"guest-info\"}").get("return");
        assertThat(info.path("version").asText()).isNotBlank();
        List<String> enabled = info.path("supported_commands").findParents("enabled").stream()
                .filter(c -> c.path("enabled").asBoolean()).map(c -> c.path("name").asText()).toList();
        assertThat(enabled).contains("guest-exec", "guest-exec-status", "guest-get-fsinfo", "guest-get-disks",
                "guest-file-open", "guest-file-read", "guest-file-write");
    }

    @Test
    void guestSeesVirtioBlkGrowth() {
        assertGuestSeesGrowth("vdb", "vdr-blk");
    }

    @Test
    void guestSeesVirtioScsiGrowth() {
        assertGuestSeesGrowth("sdb", "vdr-scsi");
    }

    void assertGuestSeesGrowth(String target, String serial) {
        String dev = guestDiskBySerial(domain, serial);
        assertThat(dev).as("guest device with serial %s", serial).isNotNull();
        long before = guestDiskSize(domain, dev);
        long after = before + 64 * MIB;
        virsh("blockresize", domain, target, after + "B");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long seen = before;
        while (seen != after && System.nanoTime() < deadline) {
            seen = guestDiskSize(domain, dev);
        }
        assertThat(seen).as("size of /dev/%s (target %s) in the guest", dev, target).isEqualTo(after);
    }
}
