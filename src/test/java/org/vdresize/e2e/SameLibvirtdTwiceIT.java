package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * The same libvirtd configured under two host names: {@code local} at qemu:///system and
 * {@code again} at qemu+unix:///system (the same daemon, through another URI). vdresize recognises
 * it by libvirt's host UUID: {@code again} is refused (not available, {@code duplicateOf: local}),
 * its VMs are seen and resized through {@code local} only, exactly once (docs/hosts.md, "The same
 * hypervisor under two names"). Results are checked with virsh and qemu-img.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:samelibvirtd;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system",
        "vdresize.hosts[1].name=again", "vdresize.hosts[1].uri=qemu+unix:///system"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SameLibvirtdTwiceIT {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    static LibvirtFixture lv;
    static Path image;
    static String vm;

    @LocalServerPort int port;
    ApiClient api;

    @BeforeAll
    static void fixture() {
        lv = LibvirtFixture.create();
        image = lv.createQcow2("twice.qcow2", 16 * MIB);
        vm = lv.startVm("twice", Disk.virtio(image, "vdb"));
    }

    @AfterAll
    static void cleanUp() {
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
    void theSecondNameIsRefusedAndNamesTheFirst() {
        String hostUuid = capabilitiesHostUuid();
        JsonNode hosts = api.get("/api/hosts").body();

        assertThat(hosts).hasSize(2);
        JsonNode local = hosts.get(0);
        JsonNode again = hosts.get(1);
        assertThat(local.path("name").asText()).isEqualTo("local");
        assertThat(local.path("available").asBoolean()).as(local.toString()).isTrue();
        assertThat(local.path("duplicateOf").isNull()).as(local.toString()).isTrue();
        assertThat(again.path("name").asText()).isEqualTo("again");
        assertThat(again.path("available").asBoolean()).as(again.toString()).isFalse();
        assertThat(again.path("duplicateOf").asText()).isEqualTo("local");
        assertThat(again.path("error").asText()).contains("same libvirtd as host local").contains(hostUuid);

        JsonNode health = api.get("/actuator/health").body();
        assertThat(health.at("/components/libvirt/status").asText()).as(health.toString()).isEqualTo("UNKNOWN");
        JsonNode healthAgain = health.at("/components/libvirt/details/hosts/1");
        assertThat(healthAgain.path("available").asBoolean()).isFalse();
        assertThat(healthAgain.path("duplicateOf").asText()).isEqualTo("local");
    }

    @Test
    @Order(2)
    void itsDisksAreListedOnceThroughTheFirstName() {
        JsonNode disks = api.getAll("/api/disks");

        List<JsonNode> entries = StreamSupport.stream(disks.spliterator(), false)
                .filter(d -> image.toString().equals(d.path("path").asText())).toList();
        assertThat(entries).hasSize(1);
        JsonNode disk = entries.get(0);
        assertThat(disk.path("resizable").asBoolean()).as(disk.toString()).isTrue();
        assertThat(disk.get("vms")).hasSize(1);
        assertThat(disk.at("/vms/0/host").asText()).isEqualTo("local");
        assertThat(disk.path("host").asText()).isEqualTo("local");
    }

    @Test
    @Order(3)
    void aResizeOfItsVmCompletesThroughTheFirstName() {
        ApiClient.Response started = api.post("/api/resizes",
                "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+4M\",\"notifyGuest\":false}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(202);

        JsonNode done = api.awaitEnd(started.body().get("id").asText(), TIMEOUT);

        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("vms")).hasSize(1);
        assertThat(done.at("/vms/0/host").asText()).isEqualTo("local");
        assertThat(done.at("/vms/0/status").asText()).isEqualTo("RESIZED");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(20 * MIB);
        assertThat(lv.qemuImgVirtualSize(image)).isEqualTo(20 * MIB);
    }

    @Test
    @Order(4)
    void badInputGetsTheUsualClearErrorsAndChangesNothing() {
        ApiClient.Response unknown = api.post("/api/resizes",
                "{\"vm\":\"" + lv.name("nosuchvm") + "\",\"target\":\"vdb\",\"size\":\"+1M\"}");
        assertThat(unknown.status()).as("not found through local; again is no host that might hold it: "
                + unknown.body()).isEqualTo(404);
        assertThat(unknown.body().path("code").asText()).isEqualTo("UNKNOWN_VM");

        ApiClient.Response shrink = api.post("/api/resizes",
                "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"8M\"}");
        assertThat(shrink.status()).as(shrink.body().toString()).isEqualTo(409);
        assertThat(shrink.body().path("code").asText()).isEqualTo("SHRINK_NOT_SUPPORTED");

        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(20 * MIB);
        assertThat(lv.qemuImgVirtualSize(image)).isEqualTo(20 * MIB);
    }

    /** The daemon's own answer, read with virsh: independent of the code under test. */
    static String capabilitiesHostUuid() {
        String caps = LibvirtFixture.virsh("capabilities");
        int host = caps.indexOf("<host>");
        int start = caps.indexOf("<uuid>", host) + "<uuid>".length();
        return caps.substring(start, caps.indexOf("</uuid>", start)).strip();
    }
}
