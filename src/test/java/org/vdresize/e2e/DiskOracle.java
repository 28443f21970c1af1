package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * What the fault tests check a disk and a resize with, independently of the application: the image
 * as qemu-img and the file system see it, a sentinel written before the resize, and the resize's
 * audit trail as an auditor reads it over HTTP.
 */
final class DiskOracle {

    static final byte[] SENTINEL = "vdresize fault sentinel: must survive every failure".getBytes(StandardCharsets.UTF_8);
    static final long SENTINEL_AT = 3 * MIB + 17;

    /** A raw image as the host sees it: virtual size (qemu-img), file length, blocks really allocated. */
    record State(long virtualSize, long fileSize, long allocated) {
        @Override
        public String toString() {
            return "virtual size " + virtualSize + " B, file size " + fileSize + " B, allocated " + allocated + " B";
        }
    }

    private DiskOracle() {
    }

    static State state(LibvirtFixture lv, Path image) {
        return new State(lv.qemuImgVirtualSize(image), lv.fileSize(image), lv.allocatedBytes(image));
    }

    static Path withSentinel(LibvirtFixture lv, Path image) {
        lv.writeSentinel(image, SENTINEL_AT, SENTINEL);
        return image;
    }

    static void assertSentinel(LibvirtFixture lv, Path image) {
        assertThat(lv.readBytes(image, SENTINEL_AT, SENTINEL.length)).as("sentinel in " + image).isEqualTo(SENTINEL);
    }

    /** The audit trail of a disk, oldest first. */
    static JsonNode audit(ApiClient api, Path disk) {
        ApiClient.Response response = api.get("/api/audit?disk=" + java.net.URLEncoder.encode(disk.toString(), StandardCharsets.UTF_8));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body();
    }

    /** The types of the audit events of one resize of a disk, oldest first. */
    static List<String> auditTypes(ApiClient api, Path disk, String resizeId) {
        List<String> types = new ArrayList<>();
        for (JsonNode event : audit(api, disk)) {
            if (resizeId.equals(event.path("resizeId").asText(null))) {
                types.add(event.get("type").asText());
            }
        }
        return types;
    }

    /** The audit events of a disk that belong to no started resize (rejected requests), as "TYPE detail". */
    static List<String> rejections(ApiClient api, Path disk) {
        List<String> rejected = new ArrayList<>();
        for (JsonNode event : audit(api, disk)) {
            if (event.path("resizeId").isNull() || event.path("resizeId").isMissingNode()) {
                rejected.add(event.get("type").asText() + " " + event.path("detail").asText());
            }
        }
        return rejected;
    }

    /** A resize that failed to start is answered with a problem whose code is asserted here. */
    static void assertProblem(ApiClient.Response response, int status, String code) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.body().path("code").asText()).as(response.body().toString()).isEqualTo(code);
    }

    /** Starts a resize that must be accepted; returns its id. */
    static String accepted(ApiClient api, String body) {
        ApiClient.Response response = api.post("/api/resizes", body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        return response.body().get("id").asText();
    }

    /** Waits for a resize's end state and asserts it. */
    static JsonNode awaitEnd(ApiClient api, String id, String status, Duration timeout) {
        JsonNode done = api.awaitEnd(id, timeout);
        assertThat(done.path("status").asText()).as(done.toPrettyString()).isEqualTo(status);
        return done;
    }

    /** Polls a condition every 20 ms; fails with the message when it does not hold within the timeout. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).pollInSameThread().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    static String json(String format, Object... args) {
        return String.format(format, args).replace('\'', '"');
    }
}
