package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.e2e.DiskOracle.accepted;
import static org.vdresize.e2e.DiskOracle.assertProblem;
import static org.vdresize.e2e.DiskOracle.assertSentinel;
import static org.vdresize.e2e.DiskOracle.await;
import static org.vdresize.e2e.DiskOracle.auditTypes;
import static org.vdresize.e2e.DiskOracle.awaitEnd;
import static org.vdresize.e2e.DiskOracle.json;
import static org.vdresize.e2e.DiskOracle.state;
import static org.vdresize.e2e.DiskOracle.withSentinel;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.PrivateLibvirtd;
import org.vdresize.testsupport.ScratchMount;

/**
 * libvirtd stopped and started again while a resize is between its storage step and its VM step:
 * the VM step's retries reconnect and the resize completes.
 *
 * <p>Two libvirt hosts, as in oVirt's SPM/HSM split: {@code local} (the shared qemu:///system) owns
 * the storage pool, {@code vmhost} is a {@link PrivateLibvirtd} that runs the VM. The storage step is
 * made slow (a preallocated growth on a file system without fallocate, {@link ScratchMount#ramfs}); {@code vmhost}'s libvirtd
 * is stopped (SIGTERM by its pid file; its QEMU keeps running) right after the 202, so the VM step
 * certainly finds it down, and is started again once the VM step has failed. Stopping a private
 * daemon instead of the shared one keeps other test runs and the demo on this machine untouched, and
 * makes the timing deterministic: the storage host stays up, so the stop cannot hit the storage job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:restart;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true"})
class LibvirtdRestartIT {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** The mount must exist before the private daemon's namespace is made, or its QEMU cannot see it. */
    static ScratchMount slow;
    static PrivateLibvirtd vmhost;
    static LibvirtFixture storage;
    static LibvirtFixture vms;

    @LocalServerPort int port;
    ApiClient api;

    static synchronized void environment() {
        if (slow != null) {
            return;
        }
        slow = ScratchMount.ramfs();
        vmhost = PrivateLibvirtd.create();
        storage = LibvirtFixture.create(LibvirtFixture.URI, slow.dir());
        vms = LibvirtFixture.create(vmhost.uri(), null);
    }

    @DynamicPropertySource
    static void vmhost(DynamicPropertyRegistry registry) {
        environment();
        // a list binds from one property source only: all hosts here
        registry.add("vdresize.hosts[0].name", () -> "local");
        registry.add("vdresize.hosts[0].uri", () -> LibvirtFixture.URI);
        registry.add("vdresize.hosts[1].name", () -> "vmhost");
        registry.add("vdresize.hosts[1].uri", vmhost::uri);
    }

    @AfterAll
    static void cleanUp() {
        if (vmhost != null && !vmhost.isRunning()) {
            vmhost.start();
        }
        if (vms != null) {
            vms.close();
        }
        if (storage != null) {
            storage.close();
        }
        if (vmhost != null) {
            vmhost.close();
        }
        if (slow != null) {
            slow.close();
        }
    }

    @BeforeEach
    void client() {
        environment();
        api = new ApiClient(port, "demo", "demo");
    }

    /** Whatever happened in a test, the next one (and the cleanup) finds the daemon running. */
    @AfterEach
    void daemonRunsAgain() {
        if (!vmhost.isRunning()) {
            vmhost.start();
        }
    }

    @Test
    void theVmStepReconnectsAfterLibvirtdOfTheVmsHostRestarts() {
        Path image = withSentinel(storage, storage.createRawPreallocated("hsm.img", 16 * MIB));
        String vm = vms.startVm("hsm", Disk.virtio(image, "vdb"));
        long target = 16 * MIB + 2048 * MIB;

        String id = accepted(api, json("{'path':'%s','size':'+2G'}", image));
        vmhost.stop();
        JsonNode stopped = api.get("/api/resizes/" + id).body();
        assertThat(stopped.at("/vms/0/status").asText())
                .as("the daemon was down before the VM step (else this test proves nothing): " + stopped.toPrettyString())
                .isEqualTo("PENDING");

        await("the VM step failed against the stopped daemon and waits for a retry (or the resize ended)", TIMEOUT, () -> {
            JsonNode now = api.get("/api/resizes/" + id).body();
            return hasStep(now, "VM_RESIZE", "RETRYING") || ApiClient.END_STATES.contains(now.path("status").asText());
        });
        JsonNode retrying = api.get("/api/resizes/" + id).body();
        assertThat(retrying.get("status").asText()).as(retrying.toPrettyString()).isEqualTo("RUNNING");
        assertProblem(api.post("/api/resizes", json("{'path':'%s','size':'+16M'}", image)), 409, "DISK_BUSY");

        vmhost.start();
        JsonNode done = awaitEnd(api, id, "COMPLETED", TIMEOUT);

        // (seen once in a full run: COMPLETED with the VM row still PENDING although the VM step's own
        // detail said resized; not reproduced since. The audit trail says what the steps recorded.)
        assertThat(done.at("/vms/0/status").asText()).as(() -> done.toPrettyString() + "\naudit: "
                + DiskOracle.audit(api, image).toPrettyString()).isEqualTo("RESIZED");
        assertThat(done.at("/vms/0/host").asText()).isEqualTo("vmhost");
        assertThat(done.at("/vms/0/capacity").asLong()).isEqualTo(target);
        assertThat(vms.domblkinfoCapacity(vm, "vdb")).as("QEMU of the VM that outlived its libvirtd").isEqualTo(target);
        DiskOracle.State after = state(storage, image);
        assertThat(after.virtualSize()).isEqualTo(target);
        assertThat(after.fileSize()).isEqualTo(target);
        assertThat(after.allocated()).isGreaterThanOrEqualTo(target);
        assertSentinel(storage, image);
        assertThat(auditTypes(api, image, id))
                // a no-OS VM has no guest agent: the guest step records that, and the resize completes
                .containsExactly("RESIZE_REQUESTED", "STORAGE_EXTENDED", "VM_DISK_RESIZED", "GUEST_NOTIFY_FAILED",
                        "RESIZE_COMPLETED");

        // the lock went with the resize
        awaitEnd(api, accepted(api, json("{'path':'%s','size':'+16M'}", image)), "COMPLETED", TIMEOUT);
        assertThat(vms.domblkinfoCapacity(vm, "vdb")).isEqualTo(target + 16 * MIB);
    }

    private static boolean hasStep(JsonNode resize, String name, String status) {
        for (JsonNode step : resize.path("steps")) {
            if (name.equals(step.path("name").asText()) && status.equals(step.path("status").asText())) {
                return true;
            }
        }
        return false;
    }
}
