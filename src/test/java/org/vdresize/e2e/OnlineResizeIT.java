package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * The product end to end: the real application over HTTP, real libvirtd, real QEMU domains (no
 * OS), one test per storage case of docs/resize-process.md. Every result is checked by an independent oracle
 * (virsh domblkinfo, qemu-img info, the file's size and allocated blocks), and every image
 * carries a sentinel that must survive byte for byte.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:e2e;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system"})
class OnlineResizeIT extends RealLibvirtTestBase {

    static final byte[] SENTINEL = "vdresize sentinel: this must survive every resize".getBytes(StandardCharsets.UTF_8);
    static final long SENTINEL_AT = 3 * MIB + 17;
    static final Duration TIMEOUT = Duration.ofSeconds(60);


    /** Writes the sentinel before any QEMU opens the image (qemu-io cannot write a locked qcow2). */
    static Path withSentinel(Path image) {
        lv.writeSentinel(image, SENTINEL_AT, SENTINEL);
        return image;
    }

    static void assertSentinel(Path image) {
        assertThat(lv.readBytes(image, SENTINEL_AT, SENTINEL.length)).as("sentinel in " + image).isEqualTo(SENTINEL);
    }

    JsonNode resize(String body, int expectedStatus) {
        ApiClient.Response response = api.post("/api/resizes", body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(expectedStatus);
        if (expectedStatus != 202) {
            return response.body();
        }
        assertThat(response.raw().headers().firstValue("Location")).hasValue("/api/resizes/" + response.body().get("id").asText());
        JsonNode done = api.awaitEnd(response.body().get("id").asText(), TIMEOUT);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        return done;
    }

    @Test
    void qcow2InUseByARunningVmIsGrownByQemu() {
        Path image = withSentinel(lv.createQcow2("inuse.qcow2", 64 * MIB));
        String vm = lv.startVm("qcow2", Disk.virtio(image, "vdb"));

        JsonNode done = resize("{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+16M\"}", 202);

        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(80 * MIB);
        assertThat(lv.qemuImgVirtualSize(image)).isEqualTo(80 * MIB);
        assertThat(done.get("oldSize").asLong()).isEqualTo(64 * MIB);
        assertThat(done.get("newSize").asLong()).isEqualTo(80 * MIB);
        assertThat(done.at("/disk/format").asText()).isEqualTo("qcow2");
        assertThat(done.at("/vms/0/status").asText()).isEqualTo("RESIZED");
        assertThat(done.at("/vms/0/capacity").asLong()).isEqualTo(80 * MIB);
        assertThat(done.at("/requestedBy").asText()).isEqualTo("demo");
        assertThat(done.get("steps")).allSatisfy(step -> assertThat(step.get("durationMs").isIntegralNumber())
                .as("a readable timeline: " + step).isTrue());
        lv.destroy(vm);
        assertSentinel(image);
        assertThat(lv.qemuImgCheck(image)).isTrue();
    }

    @Test
    void qcow2NotInUseIsGrownThroughTheStoragePool() {
        Path image = withSentinel(lv.createQcow2("floating.qcow2", 64 * MIB));

        JsonNode done = resize("{\"pool\":\"" + lv.poolName() + "\",\"volume\":\"floating.qcow2\",\"size\":\"100M\"}", 202);

        assertThat(lv.qemuImgVirtualSize(image)).isEqualTo(100 * MIB);
        assertThat(done.get("vms")).isEmpty();
        assertSentinel(image);
        assertThat(lv.qemuImgCheck(image)).isTrue();
    }

    @Test
    void rawSparseOfARunningVmGrowsSparse() {
        Path image = withSentinel(lv.createRawSparse("sparse.img", 64 * MIB));
        String vm = lv.startVm("sparse", Disk.virtio(image, "vdb"));
        long allocatedBefore = lv.allocatedBytes(image);

        resize("{\"path\":\"" + image + "\",\"size\":\"96MiB\"}", 202);

        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(96 * MIB);
        assertThat(lv.fileSize(image)).isEqualTo(96 * MIB);
        assertThat(lv.allocatedBytes(image)).as("the new tail stays sparse").isLessThan(allocatedBefore + MIB);
        assertSentinel(image);
    }

    @Test
    void rawPreallocatedOnVirtioScsiIsReallyAllocated() {
        Path image = withSentinel(lv.createRawPreallocated("prealloc.img", 32 * MIB));
        String vm = lv.startVm("prealloc", Disk.scsi(image, "sda"));

        JsonNode done = resize("{\"vm\":\"" + vm + "\",\"target\":\"sda\",\"size\":\"+32M\"}", 202);

        assertThat(done.at("/disk/preallocated").asBoolean()).isTrue();
        assertThat(lv.domblkinfoCapacity(vm, "sda")).isEqualTo(64 * MIB);
        assertThat(lv.fileSize(image)).isEqualTo(64 * MIB);
        assertThat(lv.allocatedBytes(image)).as("the new tail is allocated").isGreaterThanOrEqualTo(64 * MIB);
        assertSentinel(image);
    }

    @Test
    void aDiskOfAShutOffVmIsGrownInStorageOnly() {
        Path image = withSentinel(lv.createQcow2("off.qcow2", 64 * MIB));
        String vm = lv.defineVm("off", java.util.List.of(Disk.virtio(image, "vdb")));

        JsonNode done = resize("{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+64M\"}", 202);

        assertThat(lv.qemuImgVirtualSize(image)).isEqualTo(128 * MIB);
        assertThat(done.at("/vms/0/status").asText()).isEqualTo("NOT_RUNNING");
        assertSentinel(image);
        lv.start(vm);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).as("sees the new size when it starts").isEqualTo(128 * MIB);
    }

    @Test
    void aShareableDiskOfTwoRunningVmsGrowsInBoth() {
        Path image = withSentinel(lv.createRawSparse("shared.img", 64 * MIB));
        String vm1 = lv.startVm("share1", Disk.virtio(image, "vdb").asShareable());
        String vm2 = lv.startVm("share2", Disk.virtio(image, "vdc").asShareable());

        JsonNode done = resize("{\"path\":\"" + image + "\",\"size\":\"+8M\"}", 202);

        assertThat(lv.domblkinfoCapacity(vm1, "vdb")).isEqualTo(72 * MIB);
        assertThat(lv.domblkinfoCapacity(vm2, "vdc")).isEqualTo(72 * MIB);
        assertThat(done.get("vms")).hasSize(2).allSatisfy(vm -> assertThat(vm.get("status").asText()).isEqualTo("RESIZED"));
        assertSentinel(image);
    }

    @Test
    void aShrinkIsRefusedAndLeavesTheDiskByteForByteUnchanged() {
        Path image = withSentinel(lv.createRawSparse("keep.img", 16 * MIB));
        String vm = lv.startVm("keep", Disk.virtio(image, "vdb"));
        String before = lv.sha256(image, 0, (int) (16 * MIB));

        JsonNode problem = resize("{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"8M\"}", 409);

        assertThat(problem.get("code").asText()).isEqualTo("SHRINK_NOT_SUPPORTED");
        assertThat(lv.fileSize(image)).isEqualTo(16 * MIB);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(16 * MIB);
        assertThat(lv.sha256(image, 0, (int) (16 * MIB))).isEqualTo(before);
    }

    @Test
    void readOnlyDisksCdromsAndUnknownNamesAreRefused() {
        Path ro = lv.createRawSparse("ro.img", 16 * MIB);
        Path iso = lv.createRawSparse("cd.iso", 16 * MIB);
        String vm = lv.startVm("refuse", Disk.virtio(ro, "vdb").asReadOnly(), Disk.cdrom(iso, "hdc"));

        assertThat(resize("{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+8M\"}", 409).get("code").asText())
                .isEqualTo("READ_ONLY_DISK");
        assertThat(resize("{\"vm\":\"" + vm + "\",\"target\":\"hdc\",\"size\":\"+8M\"}", 409).get("code").asText())
                .isEqualTo("UNSUPPORTED_DISK");
        assertThat(resize("{\"vm\":\"" + lv.name("nobody") + "\",\"target\":\"vdb\",\"size\":\"+8M\"}", 404).get("code").asText())
                .isEqualTo("UNKNOWN_VM");
        assertThat(resize("{\"pool\":\"" + lv.poolName() + "\",\"volume\":\"nothing.img\",\"size\":\"+8M\"}", 404).get("code").asText())
                .isEqualTo("UNKNOWN_DISK");
        assertThat(lv.fileSize(ro)).isEqualTo(16 * MIB);
    }

    @Test
    void theInventoryListsTheDisksWithTheirResizability() {
        Path image = lv.createQcow2("listed.qcow2", 16 * MIB);
        String vm = lv.startVm("listed", Disk.virtio(image, "vdb"));
        JsonNode disks = api.getAll("/api/disks");
        JsonNode disk = null;
        for (JsonNode d : disks) {
            if (d.get("path").asText().equals(image.toString())) {
                disk = d;
            }
        }
        assertThat(disk).as("listed").isNotNull();
        assertThat(disk.get("pool").asText()).isEqualTo(lv.poolName());
        assertThat(disk.get("capacity").asLong()).isEqualTo(16 * MIB);
        assertThat(disk.get("resizable").asBoolean()).isTrue();
        assertThat(disk.at("/vms/0/name").asText()).isEqualTo(vm);
        assertThat(disk.at("/vms/0/state").asText()).isEqualTo("RUNNING");
    }
}
