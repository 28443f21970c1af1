package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.e2e.DiskOracle.accepted;
import static org.vdresize.e2e.DiskOracle.assertSentinel;
import static org.vdresize.e2e.DiskOracle.await;
import static org.vdresize.e2e.DiskOracle.auditTypes;
import static org.vdresize.e2e.DiskOracle.awaitEnd;
import static org.vdresize.e2e.DiskOracle.json;
import static org.vdresize.e2e.DiskOracle.state;
import static org.vdresize.e2e.DiskOracle.withSentinel;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.vdresize.testsupport.TestFiles;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.ScratchMount;

/**
 * The application killed with SIGKILL in the middle of a resize, and started again on the same H2
 * file database: the resize answered 202 before the kill is still there, it ends COMPLETED (the
 * storage job of the dead node is re-derived from the volume), the disk is grown once, the sentinel
 * is intact and no lock is left behind.
 *
 * <p>The packaged jar runs as a separate JVM ({@link AppJvm}); the storage step is made slow (a
 * preallocated growth on a file system without fallocate, {@link ScratchMount#ramfs}) so that the kill lands inside it. The
 * JVM started after the first kill is the one killed in the second test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT {

    /** a lost storage job is recognised 15 s after its node's last heartbeat; a JVM starts in 10-30 s */
    static final Duration RECOVERY = Duration.ofSeconds(150);
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static ScratchMount slow;
    static LibvirtFixture lv;
    static Path work;
    static AppJvm app;
    static int started;

    @BeforeAll
    static void environment() throws IOException {
        if (!Files.isRegularFile(AppJvm.JAR)) {
            throw new IllegalStateException(AppJvm.JAR.toAbsolutePath() + " is missing: failsafe runs after 'package', "
                    + "so run 'mvn verify', or build the jar first with 'mvn -B -DskipTests package'");
        }
        AppJvm.removeLeftovers(TestFiles::deleteRecursively);
        slow = ScratchMount.ramfs();
        lv = LibvirtFixture.create(LibvirtFixture.URI, slow.dir());
        work = Files.createTempDirectory(LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-crash-");
    }

    @AfterAll
    static void cleanUp() {
        if (app != null) {
            app.close();
        }
        if (lv != null) {
            lv.close();
        }
        if (slow != null) {
            slow.close();
        }
        if (work != null) {
            TestFiles.keepLogs(work, "CrashRecoveryIT");
            TestFiles.deleteRecursively(work);
        }
    }

    @Test
    @Order(1)
    void killedRightAfterThe202TheResizeSurvivesAndCompletesOnTheNextStart() {
        AppJvm first = running();
        Path image = withSentinel(lv, lv.createRawPreallocated("kill-after-202.img", 16 * MIB));
        String vm = lv.startVm("kill202", Disk.virtio(image, "vdb"));
        long target = 16 * MIB + 256 * MIB;

        String id = accepted(first.api(), json("{'vm':'%s','target':'vdb','size':'+256M'}", vm));
        first.kill();

        ApiClient api = restart().api();
        JsonNode body = api.get("/api/resizes/" + id).body();
        assertThat(body.path("id").asText()).as("the 202 was durable: " + body).isEqualTo(id);
        assertThat(body.path("newSize").asLong()).isEqualTo(target);

        assertCompletedOnce(api, id, vm, image, target);
    }

    @Test
    @Order(2)
    void killedDuringTheStorageJobTheJobIsReDerivedAndTheResizeCompletes() {
        AppJvm first = running();
        Path image = withSentinel(lv, lv.createRawPreallocated("kill-in-storage.img", 16 * MIB));
        String vm = lv.startVm("killjob", Disk.virtio(image, "vdb"));
        long target = 16 * MIB + 512 * MIB;

        String id = accepted(first.api(), json("{'vm':'%s','target':'vdb','size':'+512M'}", vm));
        await("the storage job writes the new tail", TIMEOUT, () -> lv.fileSize(image) > 16 * MIB);
        first.kill();
        assertThat(lv.fileSize(image)).as("killed while the storage job ran (else this test proves nothing)").isLessThan(target);

        ApiClient api = restart().api();
        assertThat(api.get("/api/resizes/" + id).body().path("status").asText()).isIn("RUNNING", "COMPLETED");

        assertCompletedOnce(api, id, vm, image, target);
    }

    private void assertCompletedOnce(ApiClient api, String id, String vm, Path image, long target) {
        JsonNode done = awaitEnd(api, id, "COMPLETED", RECOVERY);
        assertThat(done.at("/vms/0/status").asText()).isEqualTo("RESIZED");
        assertThat(done.at("/vms/0/capacity").asLong()).isEqualTo(target);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(target);
        DiskOracle.State after = state(lv, image);
        assertThat(after.virtualSize()).isEqualTo(target);
        assertThat(after.fileSize()).isEqualTo(target);
        assertThat(after.allocated()).as("preallocated").isGreaterThanOrEqualTo(target);
        assertSentinel(lv, image);
        assertThat(auditTypes(api, image, id)).as("each step recorded once")
                // a no-OS VM has no guest agent: the guest step records that, and the resize completes
                .containsExactly("RESIZE_REQUESTED", "STORAGE_EXTENDED", "VM_DISK_RESIZED", "GUEST_NOTIFY_FAILED",
                        "RESIZE_COMPLETED");

        // no stale lock: the next resize of the disk is accepted and completes
        awaitEnd(api, accepted(api, json("{'vm':'%s','target':'vdb','size':'+16M'}", vm)), "COMPLETED", TIMEOUT);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(target + 16 * MIB);
    }

    private static AppJvm running() {
        if (app == null || !app.isAlive()) {
            app = AppJvm.start(work, work.resolve("app-" + (++started) + ".log"));
        }
        return app;
    }

    private static AppJvm restart() {
        app = AppJvm.start(work, work.resolve("app-" + (++started) + ".log"));
        return app;
    }

    /** The applications' logs go where failsafe keeps its reports, for the post-mortem. */

}
