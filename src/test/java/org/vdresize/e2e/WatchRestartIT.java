package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.testsupport.TestFiles;
import org.vdresize.testsupport.GuestImage;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * A watch and its decisions survive a kill -9 of the application: the packaged jar ({@link AppJvm})
 * watches an ext4 filesystem of the tiny guest in OBSERVE mode, is killed outright after a decision,
 * and started again on the same H2 file database. The watch, its last sample and decision are read
 * back unchanged, and its timer loop decides again by itself; nothing was resized.
 */
class WatchRestartIT {

    static final Duration TIMEOUT = Duration.ofMinutes(4);

    static LibvirtFixture lv;
    static Path work;
    static Path disk;
    static String guest;
    static AppJvm app;

    @BeforeAll
    static void environment() throws Exception {
        AppJvm.removeLeftovers(TestFiles::deleteRecursively);
        lv = LibvirtFixture.create();
        work = AppJvm.workFolder("watch-restart");
        disk = lv.createQcow2("w-restart.qcow2", 64 * MIB);
        guest = lv.startGuest("wrestart", List.of(new GuestImage.Disk(disk, "qcow2", "vdb", "virtio", "vdr-wrestart")));
        String dev = GuestImage.guestDiskBySerial(guest, "vdr-wrestart");
        exec("mkfs.ext4", "-q", "/dev/" + dev);
        exec("mkdir", "-p", "/mnt/restart");
        exec("mount", "/dev/" + dev, "/mnt/restart");
    }

    @AfterAll
    static void cleanUp() {
        if (app != null) {
            app.close();
        }
        if (lv != null) {
            lv.close();
        }
        if (work != null) {
            TestFiles.deleteRecursively(work);
        }
    }

    @Test
    void theWatchAndItsDecisionsSurviveAKillAndItsLoopGoesOn() {
        app = AppJvm.start(work, work.resolve("app-1.log"));
        fill("/mnt/restart", 91);
        JsonNode created = app.api().post("/api/watches", "{\"vm\":\"" + guest + "\",\"target\":\"vdb\",\"maxSize\":\"1G\","
                + "\"mode\":\"OBSERVE\",\"mountpoint\":\"/mnt/restart\",\"interval\":\"PT10S\"}").body();
        String id = created.path("id").asText();
        assertThat(created.path("status").asText()).as(created.toString()).isEqualTo("WATCHING");
        JsonNode before = awaitWatch(app.api(), id, w -> w.at("/lastDecision/action").asText().equals("GROW"));
        int decisionsBefore = decisions(app.api());
        assertThat(decisionsBefore).isPositive();

        app.kill();
        Instant killedAt = Instant.now();
        app = AppJvm.start(work, work.resolve("app-2.log"));
        ApiClient api = app.api();

        JsonNode after = api.get("/api/watches/" + id).body();
        assertThat(after.path("status").asText()).as(after.toString()).isEqualTo("WATCHING");
        assertThat(after.path("mode").asText()).isEqualTo("OBSERVE");
        assertThat(decisions(api)).as("the decisions made before the kill").isGreaterThanOrEqualTo(decisionsBefore);
        assertThat(Instant.parse(after.at("/lastDecision/at").asText()))
                .isAfterOrEqualTo(Instant.parse(before.at("/lastDecision/at").asText()));

        JsonNode resumed = awaitWatch(api, id, w -> !w.at("/lastDecision/at").isMissingNode()
                && Instant.parse(w.at("/lastDecision/at").asText()).isAfter(killedAt));
        assertThat(resumed.at("/lastDecision/action").asText()).isEqualTo("GROW");
        assertThat(resumed.at("/lastDecision/reason").asText()).startsWith("observe (not grown): /mnt/restart 9");
        assertThat(resumed.path("resizes").size()).isZero();
        assertThat(lv.qemuImgVirtualSize(disk)).isEqualTo(64 * MIB);
        assertThat(lv.domblkinfoCapacity(guest, "vdb")).isEqualTo(64 * MIB);
        assertThat(api.delete("/api/watches/" + id).status()).isEqualTo(204);
    }

    static int decisions(ApiClient api) {
        return api.get("/api/audit?disk=" + disk + "&type=WATCH_DECISION").body().size();
    }

    static JsonNode awaitWatch(ApiClient api, String id, java.util.function.Predicate<JsonNode> condition) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            last.set(api.get("/api/watches/" + id).body());
            return condition.test(last.get());
        });
        return last.get();
    }

    static void fill(String mountpoint, int percent) {
        JsonNode fs = null;
        for (JsonNode f : GuestImage.agentCommand(guest, "{\"execute\":\"guest-get-fsinfo\"}").get("return")) {
            if (f.path("mountpoint").asText().equals(mountpoint)) {
                fs = f;
            }
        }
        assertThat(fs).as("nothing mounted on " + mountpoint).isNotNull();
        long need = (long) (fs.path("total-bytes").asLong() * percent / 100.0) - fs.path("used-bytes").asLong();
        if (need > 0) {
            exec("dd", "if=/dev/zero", "of=" + mountpoint + "/fill", "bs=1M", "count=" + ((need + MIB - 1) / MIB));
            exec("sync");
        }
    }

    static void exec(String program, String... args) {
        GuestImage.guestRun(guest, null, program, args);
    }

}
