package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditService;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * A disk under a real block job of a real QEMU (started with virsh, the oracle too): the resize is
 * refused up front with DISK_BUSY naming the job and the VM, nothing changes (QEMU's and the
 * image's size, no lock, one audit entry), and once the job is aborted the same request succeeds.
 * Copy and active commit jobs never end by themselves (they wait in their "ready" phase for a pivot
 * or an abort), so the test does not race the job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:blockjob;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system"})
class BlockJobIT extends RealLibvirtTestBase {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Autowired AuditService audit;
    @Autowired JdbcTemplate jdbc;

    @Test
    void aDiskUnderVirshBlockcopyIsDiskBusyAndChangesNothingUntilTheJobIsAborted() {
        Path image = lv.createQcow2("copied.qcow2", 64 * MIB);
        String vm = lv.startVm("blockcopy", Disk.virtio(image, "vdb"));
        // a persistent domain only allows a copy job that is not kept across a restart (--transient-job)
        lv.run("blockcopy", vm, "vdb", lv.poolDir().resolve("copied-copy.qcow2").toString(), "--format", "qcow2",
                "--transient-job", "--bandwidth", "1");
        assertThat(lv.run("blockjob", vm, "vdb", "--info", "--raw")).as("the oracle sees the job").contains("type=Block Copy");

        assertRefusedAndNothingChanged(vm, image, "a block copy job");

        lv.run("blockjob", vm, "vdb", "--abort");
        assertGrowsNow(vm, image);
    }

    @Test
    void aDiskUnderAnActiveBlockcommitIsDiskBusyToo() {
        Path base = lv.createQcow2("base.qcow2", 64 * MIB);
        Path top = lv.createQcow2Overlay("top.qcow2", base, 64 * MIB);
        String vm = lv.startVm("blockcommit", Disk.virtio(top, "vdb"));
        lv.run("blockcommit", vm, "vdb", "--active", "--bandwidth", "1");
        assertThat(lv.run("blockjob", vm, "vdb", "--info", "--raw")).as("the oracle sees the job").contains("type=Active Block Commit");

        assertRefusedAndNothingChanged(vm, top, "an active block commit job");

        lv.run("blockjob", vm, "vdb", "--abort");
        assertGrowsNow(vm, top);
    }

    void assertRefusedAndNothingChanged(String vm, Path image, String job) {
        long rejectedBefore = rejections(image);
        ApiClient.Response refused = api.post("/api/resizes", "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+16M\"}");

        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(409);
        assertThat(refused.body().get("code").asText()).isEqualTo("DISK_BUSY");
        assertThat(refused.body().get("detail").asText()).contains(job, "runs on vdb of VM " + vm, "--abort");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).as("QEMU's size").isEqualTo(64 * MIB);
        assertThat(lv.qemuImgVirtualSize(image)).as("the image's size").isEqualTo(64 * MIB);
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock where disk_path = ?", Integer.class, image.toString()))
                .as("no lock").isZero();
        assertThat(rejections(image) - rejectedBefore).as("one audit entry").isEqualTo(1);
        assertThat(api.get("/api/resizes?disk=" + image).body()).as("no resize was started").isEmpty();
    }

    void assertGrowsNow(String vm, Path image) {
        ApiClient.Response accepted = api.post("/api/resizes", "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"+16M\"}");
        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        JsonNode done = api.awaitEnd(accepted.body().get("id").asText(), TIMEOUT);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(80 * MIB);
        assertThat(lv.qemuImgVirtualSize(image)).isEqualTo(80 * MIB);
    }

    long rejections(Path image) {
        return audit.query(image.toString(), null, null).stream().map(AuditEvent::type)
                .filter("RESIZE_REJECTED"::equals).count();
    }
}
