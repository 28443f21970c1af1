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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vdresize.testsupport.TestFiles;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.ScratchMount;

/**
 * The application stopped normally (SIGTERM, as {@code systemctl stop} does) while a storage job
 * grows a disk, and started again on the same H2 file database (docs/operator-guide.md, "Stopping a
 * node"): the resize ends COMPLETED, the disk is grown once to the size asked for (qemu-img, the
 * file, virsh domblkinfo), the sentinel written before the resize is intact, the audit trail has
 * each step once and no lock is left behind.
 *
 * <p>Two stops: one with the default shutdown wait, which the job outlives by far less than its 30 s
 * (the node waits for the job, writing its heartbeat meanwhile, and records it DONE before it exits),
 * and one with a wait of 1 s, which cuts the job short (the row stays RUNNING; the next start takes it
 * over from the volume). The kill
 * -9 during a storage job is {@link CrashRecoveryIT}'s. The storage step is made slow the same way:
 * a preallocated growth on a file system without fallocate ({@link ScratchMount#ramfs}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StopDuringStorageJobIT {

    private static final Logger log = LoggerFactory.getLogger(StopDuringStorageJobIT.class);

    /** a job cut short is lost 15 s after its node's last heartbeat; a JVM starts in 10-30 s */
    static final Duration RECOVERY = Duration.ofSeconds(150);
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** the default spring.lifecycle.timeout-per-shutdown-phase, per phase, plus the JVM's own end */
    static final Duration GRACEFUL_STOP = Duration.ofSeconds(45);
    static final String SHORT_WAIT = "--spring.lifecycle.timeout-per-shutdown-phase=1s";
    /** 1 GiB of preallocation on the ramfs: 3-7 s, long enough for a SIGTERM to land inside it */
    static final long GROWTH = 1024 * MIB;
    /** twice that for the stop that must end before the job: a 1 s wait and the JVM's end took up to 1.8 s */
    static final long LONG_GROWTH = 2 * GROWTH;
    static final long START = 16 * MIB;
    /** H2's own shutdown hook closed the database under the steps and jobs the stopping node waits for */
    static final String H2_CLOSED_EARLY = "Database is already closed";
    /** the first stop's storage heartbeat, often enough to see it go on during the stop */
    static final Duration BEAT = Duration.ofMillis(200);

    static ScratchMount slow;
    static LibvirtFixture lv;
    static Path work;
    static AppJvm app;
    static int started;
    static Path lastLog;

    @BeforeAll
    static void environment() throws IOException {
        if (!Files.isRegularFile(AppJvm.JAR)) {
            throw new IllegalStateException(AppJvm.JAR.toAbsolutePath() + " is missing: failsafe runs after 'package', "
                    + "so run 'mvn verify', or build the jar first with 'mvn -B -DskipTests package'");
        }
        AppJvm.removeLeftovers(TestFiles::deleteRecursively);
        slow = ScratchMount.ramfs();
        lv = LibvirtFixture.create(LibvirtFixture.URI, slow.dir());
        work = AppJvm.workFolder("stop");
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
            TestFiles.keepLogs(work, "StopDuringStorageJobIT");
            TestFiles.deleteRecursively(work);
        }
    }

    @Test
    @Order(1)
    void stoppedDuringTheStorageJobTheNodeWaitsForItAndTheNextStartCompletesTheResize() throws Exception {
        AppJvm first = start("--vdresize.storage.heartbeat=" + BEAT);
        Path image = withSentinel(lv, lv.createRawPreallocated("stop-wait.img", START));
        String vm = lv.startVm("stopwait", Disk.virtio(image, "vdb"));
        long target = START + GROWTH;

        String id = accepted(first.api(), json("{'vm':'%s','target':'vdb','size':'+1G'}", vm));
        await("the storage job writes the new tail", TIMEOUT, () -> lv.fileSize(image) > START);
        long atStop = lv.fileSize(image);
        Instant sigterm = Instant.now();
        Duration stop = stop(first);
        assertThat(atStop).as("stopped while the storage job ran (else this test proves nothing)").isLessThan(target);
        Instant beat = storageJobTime(id, "heartbeat_at");
        Instant ended = storageJobTime(id, "ended_at");
        log.info("SIGTERM with the image at {} of {} B: the JVM ended after {} ms; the job ended {} ms after the SIGTERM, "
                + "its last heartbeat {} ms after it", atStop, target, stop.toMillis(),
                Duration.between(sigterm, ended).toMillis(), Duration.between(sigterm, beat).toMillis());

        assertThat(stop).as("a stop waits for the storage job, within the shutdown phase's 30 s").isLessThan(GRACEFUL_STOP);
        assertThat(storageJob(id)).as("the job ended before the node did").isEqualTo("DONE");
        assertThat(Duration.between(sigterm, ended)).as("the job ran on after the SIGTERM (else the heartbeat proves nothing)")
                .isGreaterThan(BEAT.multipliedBy(3));
        assertThat(beat).as("the heartbeat goes on while the stopping node waits for the job, up to its end")
                .isAfter(sigterm.plus(BEAT)).isAfter(ended.minus(BEAT.multipliedBy(2)));
        assertThat(lv.fileSize(image)).as("grown before the node ended").isEqualTo(target);
        assertThat(Files.readString(lastLog)).as("the stopped node's log")
                .containsPattern("storage job \\S+ done").doesNotContainPattern("storage job \\S+ failed")
                .doesNotContain(H2_CLOSED_EARLY);

        ApiClient api = start(SHORT_WAIT).api();
        assertCompletedOnce(api, id, vm, image, target);
    }

    @Test
    @Order(2)
    void stoppedWithAShortShutdownWaitTheJobCutShortIsTakenOverOnTheNextStart() throws Exception {
        AppJvm first = app != null && app.isAlive() ? app : start(SHORT_WAIT);
        Path image = withSentinel(lv, lv.createRawPreallocated("stop-cut.img", START));
        String vm = lv.startVm("stopcut", Disk.virtio(image, "vdb"));
        long target = START + LONG_GROWTH;

        String id = accepted(first.api(), json("{'vm':'%s','target':'vdb','size':'+2G'}", vm));
        await("the storage job writes the new tail", TIMEOUT, () -> lv.fileSize(image) > START);
        long atStop = lv.fileSize(image);
        Duration stop = stop(first);
        String job = storageJob(id);
        long afterStop = lv.fileSize(image);
        log.info("SIGTERM (shutdown wait 1 s) with the image at {} of {} B: the JVM ended after {} ms, the job row {}, "
                + "the image at {} B", atStop, target, stop.toMillis(), job, afterStop);
        assertThat(atStop).as("stopped while the storage job ran (else this test proves nothing)").isLessThan(target);
        assertThat(stop).as("the stop does not wait for the job beyond the shutdown wait").isLessThan(GRACEFUL_STOP);
        assertThat(job).as("a job cut short is neither DONE nor FAILED: it is taken over").isEqualTo("RUNNING");
        assertThat(Files.readString(lastLog)).as("the stopped node's log").doesNotContainPattern("storage job \\S+ failed")
                .doesNotContain(H2_CLOSED_EARLY);

        ApiClient api = start().api();
        assertCompletedOnce(api, id, vm, image, target);
    }

    private void assertCompletedOnce(ApiClient api, String id, String vm, Path image, long target) {
        long restarted = System.nanoTime();
        JsonNode done = awaitEnd(api, id, "COMPLETED", RECOVERY);
        log.info("resize {} COMPLETED {} ms after the application was UP again", id,
                Duration.ofNanos(System.nanoTime() - restarted).toMillis());
        assertThat(done.at("/vms/0/status").asText()).as(done.toPrettyString()).isEqualTo("RESIZED");
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

    private static Duration stop(AppJvm jvm) {
        long sigterm = System.nanoTime();
        jvm.stop();
        return Duration.ofNanos(System.nanoTime() - sigterm);
    }

    /** The storage job's state as the stopped node left it in the database. */
    private static String storageJob(String resizeId) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("db"), "sa", "");
             PreparedStatement q = db.prepareStatement("select state from vdr_storage_job where resize_id = ?")) {
            q.setString(1, resizeId);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).as("a storage job row for " + resizeId).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** A time of the storage job's row as the stopped node left it. */
    private static Instant storageJobTime(String resizeId, String column) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("db"), "sa", "");
             PreparedStatement q = db.prepareStatement("select " + column + " from vdr_storage_job where resize_id = ?")) {
            q.setString(1, resizeId);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).as("a storage job row for " + resizeId).isTrue();
                return rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
    }

    private static AppJvm start(String... args) {
        lastLog = work.resolve("app-" + (++started) + ".log");
        app = AppJvm.start(work, lastLog, args);
        return app;
    }

    /** The applications' logs go where failsafe keeps its reports, for the post-mortem. */

}
