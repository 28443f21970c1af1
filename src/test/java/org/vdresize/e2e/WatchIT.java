package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.camunda.bpm.engine.RuntimeService;
import org.vdresize.testsupport.GuestImage;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * Watches against the tiny Linux guest under QEMU (TCG), booted once: ext4 filesystems filled from
 * inside the guest (guest-exec dd) are grown by vdresize without a person, up to maxSize and no
 * further; OBSERVE changes nothing; a VM without an agent is NO_AGENT; a table deployed through
 * engine-rest changes the next decision; deleting a watch stops it. Sizes are read by the test
 * itself: qemu-img, virsh domblkinfo and the guest's own guest-get-fsinfo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:watchit;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true"})
class WatchIT {

    private static final Logger log = LoggerFactory.getLogger(WatchIT.class);
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    @LocalServerPort int port;
    @Autowired RuntimeService runtime;
    LibvirtFixture lv;
    String guest;
    ApiClient api;
    Path grown;
    Path observed;
    Path tabled;
    String grownWatch;

    @BeforeAll
    void bootGuest() throws Exception {
        lv = LibvirtFixture.create();
        grown = lv.createQcow2("w-grow.qcow2", 64 * MIB);
        observed = lv.createQcow2("w-observe.qcow2", 64 * MIB);
        tabled = lv.createQcow2("w-table.qcow2", 64 * MIB);
        guest = lv.startGuest("watched", List.of(
                new GuestImage.Disk(grown, "qcow2", "vdb", "virtio", "vdr-wgrow"),
                new GuestImage.Disk(observed, "qcow2", "vdc", "virtio", "vdr-wobserve"),
                new GuestImage.Disk(tabled, "qcow2", "vdd", "virtio", "vdr-wtable")));
        for (String[] disk : List.of(new String[] {"vdr-wgrow", "/mnt/grow"}, new String[] {"vdr-wobserve", "/mnt/observe"},
                new String[] {"vdr-wtable", "/mnt/table"})) {
            String dev = GuestImage.guestDiskBySerial(guest, disk[0]);
            exec("mkfs.ext4", "-q", "/dev/" + dev);
            exec("mkdir", "-p", disk[1]);
            exec("mount", "/dev/" + dev, disk[1]);
        }
        api = new ApiClient(port, "demo", "demo");
    }

    @AfterAll
    void cleanUp() {
        lv.close();
    }

    @Test
    @Order(1)
    void anExt4FilesystemFilledTo90PercentGrowsWithItsDiskBeforeItIsFull() {
        long fsBefore = fs("/mnt/grow").path("total-bytes").asLong();
        assertThat(lv.qemuImgVirtualSize(grown)).isEqualTo(64 * MIB);
        JsonNode created = api.post("/api/watches", "{\"vm\":\"" + guest + "\",\"target\":\"vdb\",\"maxSize\":\"128M\","
                + "\"mountpoint\":\"/mnt/grow\",\"interval\":\"PT10S\"}").body();
        grownWatch = created.path("id").asText();
        assertThat(created.path("status").asText()).as(created.toString()).isEqualTo("WATCHING");

        fill("/mnt/grow", 91);
        JsonNode filled = fs("/mnt/grow");
        log.info("filled /mnt/grow: {} of {} B", filled.path("used-bytes").asLong(), filled.path("total-bytes").asLong());

        JsonNode watch = awaitWatch(grownWatch, w -> w.path("resizes").size() == 1, "a resize started by the watch");
        JsonNode resize = api.awaitEnd(watch.at("/resizes/0").asText(), TIMEOUT);
        assertThat(resize.path("status").asText()).as(resize.toString()).isEqualTo("COMPLETED");
        assertThat(resize.path("requestedBy").asText()).isEqualTo("watch:" + grownWatch);
        assertThat(resize.path("reason").asText()).startsWith("autogrow: /mnt/grow 9");
        assertThat(resize.path("newSize").asLong()).isEqualTo(128 * MIB);
        assertThat(resize.at("/guest/0/filesystem/status").asText()).as(resize.toString()).isEqualTo("GROWN");

        // measured by the test itself
        assertThat(lv.qemuImgVirtualSize(grown)).isEqualTo(128 * MIB);
        assertThat(lv.domblkinfoCapacity(guest, "vdb")).isEqualTo(128 * MIB);
        String dev = GuestImage.guestDiskBySerial(guest, "vdr-wgrow");
        assertThat(GuestImage.guestDiskSize(guest, dev)).isEqualTo(128 * MIB);
        JsonNode after = fs("/mnt/grow");
        log.info("/mnt/grow: {} B before, {} B after; used {} B", fsBefore, after.path("total-bytes").asLong(),
                after.path("used-bytes").asLong());
        assertThat(after.path("total-bytes").asLong()).isGreaterThan(fsBefore + 50 * MIB);
        // never full, nothing lost: the fill's data is all there (resize2fs adds metadata) and there is room again
        assertThat(after.path("used-bytes").asLong()).isGreaterThanOrEqualTo(filled.path("used-bytes").asLong());
        assertThat(filled.path("used-bytes").asLong()).isLessThan(filled.path("total-bytes").asLong());
        assertThat(100.0 * after.path("used-bytes").asLong() / after.path("total-bytes").asLong()).isLessThan(60);
        JsonNode audit = api.get("/api/audit?disk=" + grown + "&type=WATCH_DECISION").body();
        assertThat(audit.findValuesAsText("detail")).anyMatch(d -> d.startsWith("GROW by " + 64 * MIB + " B: autogrow: /mnt/grow 9")
                && d.contains("maxSize=" + 128 * MIB));
    }

    @Test
    @Order(2)
    void fillingItAgainUpToMaxSizeEndsAtLimitWithNoGrowthPastIt() {
        fill("/mnt/grow", 91);
        JsonNode watch = awaitWatch(grownWatch, w -> w.path("status").asText().equals("AT_LIMIT"), "AT_LIMIT");
        assertThat(watch.at("/lastDecision/action").asText()).isEqualTo("AT_LIMIT");
        assertThat(watch.path("resizes").size()).isOne();
        assertThat(watch.at("/lastSample/usedPercent").asDouble()).isGreaterThanOrEqualTo(90);
        assertThat(lv.qemuImgVirtualSize(grown)).isEqualTo(128 * MIB);
        assertThat(lv.domblkinfoCapacity(guest, "vdb")).isEqualTo(128 * MIB);
        log.info("at the limit: {}", watch);
    }

    @Test
    @Order(3)
    void observeRecordsTheDecisionAndChangesNothing() {
        fill("/mnt/observe", 91);
        String id = api.post("/api/watches", "{\"vm\":\"" + guest + "\",\"target\":\"vdc\",\"maxSize\":\"1G\","
                + "\"mode\":\"OBSERVE\",\"interval\":\"PT10S\"}").body().path("id").asText();
        JsonNode watch = awaitWatch(id, w -> w.at("/lastDecision/action").asText().equals("GROW"), "a GROW decision");
        assertThat(watch.at("/lastDecision/reason").asText()).startsWith("observe (not grown): /mnt/observe 9");
        assertThat(watch.path("resizes").size()).isZero();
        assertThat(lv.qemuImgVirtualSize(observed)).isEqualTo(64 * MIB);
        assertThat(lv.domblkinfoCapacity(guest, "vdc")).isEqualTo(64 * MIB);
        assertThat(api.delete("/api/watches/" + id).status()).isEqualTo(204);
    }

    @Test
    @Order(4)
    void aVmWithoutAnAgentIsNoAgent() {
        Path disk = lv.createQcow2("w-noagent.qcow2", 32 * MIB);
        String vm = lv.startVm("noagent", LibvirtFixture.Disk.virtio(disk, "vdb").withSerial("vdr-wnoagent"));
        String id = api.post("/api/watches", "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"maxSize\":\"1G\","
                + "\"interval\":\"PT10S\"}").body().path("id").asText();
        JsonNode watch = awaitWatch(id, w -> w.path("status").asText().equals("NO_AGENT"), "NO_AGENT");
        assertThat(watch.path("lastDecision").isNull()).isTrue();
        assertThat(watch.path("lastSample").isNull()).isTrue();
        assertThat(lv.qemuImgVirtualSize(disk)).isEqualTo(32 * MIB);
        assertThat(api.delete("/api/watches/" + id).status()).isEqualTo(204);
    }

    @Test
    @Order(5)
    void aTableDeployedThroughEngineRestDecidesTheNextSample() throws Exception {
        fill("/mnt/table", 40);
        String id = api.post("/api/watches", "{\"vm\":\"" + guest + "\",\"target\":\"vdd\",\"maxSize\":\"96M\","
                + "\"interval\":\"PT10S\"}").body().path("id").asText();
        JsonNode waiting = awaitWatch(id, w -> w.at("/lastDecision/action").asText().equals("WAIT"), "WAIT by the default table");
        assertThat(waiting.path("resizes").size()).isZero();

        // the same table with the threshold at 30 %, as an operator would deploy it from Modeler
        String table = new String(getClass().getResourceAsStream("/bpmn/autogrow-policy.dmn").readAllBytes(),
                StandardCharsets.UTF_8).replace("&gt;= 80", "&gt;= 30");
        assertThat(deploy("autogrow-policy.dmn", table)).isEqualTo(200);

        JsonNode grownByTable = awaitWatch(id, w -> w.path("resizes").size() == 1, "a resize after the new table");
        JsonNode resize = api.awaitEnd(grownByTable.at("/resizes/0").asText(), TIMEOUT);
        assertThat(resize.path("status").asText()).as(resize.toString()).isEqualTo("COMPLETED");
        assertThat(lv.qemuImgVirtualSize(tabled)).isEqualTo(96 * MIB);
        assertThat(api.delete("/api/watches/" + id).status()).isEqualTo(204);
    }

    @Test
    @Order(6)
    void deletingAWatchStopsIt() {
        assertThat(api.delete("/api/watches/" + grownWatch).status()).isEqualTo(204);
        JsonNode watch = api.get("/api/watches/" + grownWatch).body();
        assertThat(watch.path("status").asText()).isEqualTo("STOPPED");
        assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(grownWatch).count()).isZero();
        int decisions = api.get("/api/audit?disk=" + grown + "&type=WATCH_DECISION").body().size();
        fill("/mnt/grow", 99);
        sleep(Duration.ofSeconds(25));
        assertThat(api.get("/api/audit?disk=" + grown + "&type=WATCH_DECISION").body().size()).isEqualTo(decisions);
    }

    // ---------------------------------------------------------------- helpers

    JsonNode awaitWatch(String id, Predicate<JsonNode> condition, String what) {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode watch = api.get("/api/watches/" + id).body();
        while (!condition.test(watch) && System.nanoTime() < end) {
            sleep(Duration.ofSeconds(1));
            watch = api.get("/api/watches/" + id).body();
        }
        assertThat(condition.test(watch)).as(what + ": " + watch).isTrue();
        return watch;
    }

    /** Writes zeros into the mounted filesystem from inside the guest until it is {@code percent} % used. */
    void fill(String mountpoint, int percent) {
        JsonNode fs = fs(mountpoint);
        long need = (long) (fs.path("total-bytes").asLong() * percent / 100.0) - fs.path("used-bytes").asLong();
        if (need > 0) {
            long mib = (need + MIB - 1) / MIB;
            exec("dd", "if=/dev/zero", "of=" + mountpoint + "/fill-" + System.nanoTime(), "bs=1M", "count=" + mib);
            exec("sync");
        }
    }

    JsonNode fs(String mountpoint) {
        for (JsonNode fs : GuestImage.agentCommand(guest, "{\"execute\":\"guest-get-fsinfo\"}").get("return")) {
            if (fs.path("mountpoint").asText().equals(mountpoint)) {
                return fs;
            }
        }
        throw new AssertionError("nothing mounted on " + mountpoint);
    }

    void exec(String program, String... args) {
        GuestImage.guestRun(guest, null, program, args);
    }

    /** POST /engine-rest/deployment/create with one file, as Modeler deploys. */
    int deploy(String fileName, String content) throws Exception {
        String boundary = "vdr" + System.nanoTime();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\nautogrow-policy\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-source\"\r\n\r\nWatchIT\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileName + "\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/engine-rest/deployment/create"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("demo:demo".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        log.info("deployed {}: {} {}", fileName, response.statusCode(), response.body());
        return response.statusCode();
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
