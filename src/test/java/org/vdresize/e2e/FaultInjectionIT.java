package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.e2e.DiskOracle.accepted;
import static org.vdresize.e2e.DiskOracle.assertProblem;
import static org.vdresize.e2e.DiskOracle.assertSentinel;
import static org.vdresize.e2e.DiskOracle.auditTypes;
import static org.vdresize.e2e.DiskOracle.awaitEnd;
import static org.vdresize.e2e.DiskOracle.json;
import static org.vdresize.e2e.DiskOracle.rejections;
import static org.vdresize.e2e.DiskOracle.state;
import static org.vdresize.e2e.DiskOracle.withSentinel;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.vdresize.testsupport.Cmd;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.ScratchMount;

/**
 * Real faults against the real application, libvirtd and QEMU (issue 3): a request race, a pool too
 * small, a storage job that the file system refuses, a VM that disappears between the storage and
 * the VM step, a VM that refuses the block resize. After each, the resize's status and error, its
 * audit trail, the lock and the disk itself (qemu-img, virsh, the file's size and blocks, a
 * sentinel) are checked independently of the application.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:faults;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system",
        // the race's winner waits for approval, holding the lock however slowly the 49 others arrive
        "vdresize.approval.growth-bytes=1073741824"})
class FaultInjectionIT extends RealLibvirtTestBase {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @org.springframework.beans.factory.annotation.Autowired org.camunda.bpm.engine.TaskService tasks;
    @org.springframework.beans.factory.annotation.Autowired org.camunda.bpm.engine.IdentityService identity;

    /** As an approver does in Tasklist: not demo, who requested it (four eyes), and authenticated (the audit names them). */
    void approve(String taskId, String comment) {
        identity.setAuthentication("it-approver", java.util.List.of("disk-approvers"));
        try {
            tasks.complete(taskId, java.util.Map.of("approved", true, "approvalComment", comment));
        } finally {
            identity.clearAuthentication();
        }
    }

    /**
     * 50 requests for one disk released together: one resize, 49 DISK_BUSY, the disk grown once.
     * The growth is above the approval threshold, so the winner holds the lock at the approval task
     * until every other request has been answered, however slowly a loaded machine serves them.
     */
    @Test
    void fiftySimultaneousRequestsStartExactlyOneResize() throws Exception {
        Path image = withSentinel(lv, lv.createRawSparse("race.img", 32 * MIB));
        String vm = lv.startVm("race", Disk.virtio(image, "vdb"));
        String body = json("{'path':'%s','size':'+2G'}", image);
        long grown = 32 * MIB + 2048 * MIB;

        int n = 50;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService threads = Executors.newFixedThreadPool(n);
        List<ApiClient.Response> answers = new ArrayList<>();
        try {
            List<Future<ApiClient.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return api.post("/api/resizes", body);
                }));
            }
            for (Future<ApiClient.Response> f : futures) {
                answers.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }

        List<ApiClient.Response> winners = answers.stream().filter(r -> r.status() == 202).toList();
        List<ApiClient.Response> busy = answers.stream()
                .filter(r -> r.status() == 409 && "DISK_BUSY".equals(r.body().path("code").asText())).toList();
        assertThat(winners).as(describe(answers)).hasSize(1);
        assertThat(busy).as(describe(answers)).hasSize(n - 1);

        String id = winners.get(0).body().get("id").asText();
        DiskOracle.await("the winner waits for approval", TIMEOUT,
                () -> "WAITING_FOR_APPROVAL".equals(api.get("/api/resizes/" + id).body().path("status").asText()));
        assertThat(lv.fileSize(image)).as("nothing grows before the approval").isEqualTo(32 * MIB);
        org.camunda.bpm.engine.task.Task approval = tasks.createTaskQuery().processInstanceId(id).singleResult();
        approve(approval.getId(), "race test");

        JsonNode done = awaitEnd(api, id, "COMPLETED", TIMEOUT);
        assertThat(done.get("newSize").asLong()).isEqualTo(grown);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).as("grown exactly once").isEqualTo(grown);
        assertThat(state(lv, image).virtualSize()).isEqualTo(grown);
        assertThat(lv.fileSize(image)).isEqualTo(grown);
        assertSentinel(lv, image);
        assertThat(auditTypes(api, image, id))
                .as("a no-OS VM has no guest agent: the guest step records that and the resize completes")
                .containsExactly("RESIZE_REQUESTED", "RESIZE_APPROVED", "STORAGE_EXTENDED", "VM_DISK_RESIZED",
                        "GUEST_NOTIFY_FAILED", "RESIZE_COMPLETED");
        assertThat(rejections(api, image)).hasSize(n - 1).allSatisfy(r -> assertThat(r).startsWith("RESIZE_REJECTED DISK_BUSY"));
        assertThat(api.get("/api/resizes?disk=" + image).body()).as("only the winner started a resize").hasSize(1);

        // the lock went with the resize: the next request is accepted and grows the disk once more
        awaitEnd(api, accepted(api, json("{'path':'%s','size':'+16M'}", image)), "COMPLETED", TIMEOUT);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(grown + 16 * MIB);
    }

    /** A preallocated growth larger than the pool's free space is refused before anything changes. */
    @Test
    void aPreallocatedGrowthThePoolCannotHoldIsRefusedAndChangesNothing() {
        try (ScratchMount tmpfs = ScratchMount.tmpfs(48 * MIB);
             LibvirtFixture small = LibvirtFixture.create(LibvirtFixture.URI, tmpfs.dir())) {
            Path image = withSentinel(small, small.createRawPreallocated("full.img", 32 * MIB));
            String vm = small.startVm("full", Disk.virtio(image, "vdb"));
            DiskOracle.State before = state(small, image);

            assertProblem(api.post("/api/resizes", json("{'path':'%s','size':'+32M'}", image)), 409, "INSUFFICIENT_SPACE");

            assertThat(state(small, image)).isEqualTo(before);
            assertThat(before.allocated()).isGreaterThanOrEqualTo(32 * MIB);
            assertThat(small.domblkinfoCapacity(vm, "vdb")).isEqualTo(32 * MIB);
            assertSentinel(small, image);
            assertThat(api.get("/api/resizes?disk=" + image).body()).as("no resize was started").isEmpty();
            assertThat(rejections(api, image)).singleElement().asString().startsWith("RESIZE_REJECTED INSUFFICIENT_SPACE");

            // no lock was taken: a growth that fits is accepted at once and really allocated
            String id = accepted(api, json("{'path':'%s','size':'+8M'}", image));
            awaitEnd(api, id, "COMPLETED", TIMEOUT);
            assertThat(small.domblkinfoCapacity(vm, "vdb")).isEqualTo(40 * MIB);
            assertThat(state(small, image).allocated()).isGreaterThanOrEqualTo(40 * MIB);
            assertSentinel(small, image);
        }
    }

    /**
     * An immutable image (chattr +i: even root cannot open it for writing) makes the storage job
     * fail for real: compensated, ROLLED_BACK with STORAGE_JOB_FAILED, the disk as it was, the lock free.
     */
    @Test
    void aStorageJobTheFileSystemRefusesIsRolledBack() {
        Path image = withSentinel(lv, lv.createRawPreallocated("immutable.img", 32 * MIB));
        String vm = lv.startVm("immutable", Disk.virtio(image, "vdb"));
        DiskOracle.State before = state(lv, image);

        Cmd.run("chattr", "+i", image.toString());
        JsonNode done;
        try {
            String id = accepted(api, json("{'vm':'%s','target':'vdb','size':'+32M'}", vm));
            done = awaitEnd(api, id, "ROLLED_BACK", TIMEOUT);
            assertThat(done.at("/error/code").asText()).isEqualTo("STORAGE_JOB_FAILED");
            assertThat(done.at("/error/message").asText()).contains("Operation not permitted");
            assertThat(done.at("/vms/0/status").asText()).isEqualTo("UNCHANGED");
            assertThat(auditTypes(api, image, id))
                    .containsExactly("RESIZE_REQUESTED", "STORAGE_ROLLED_BACK", "RESIZE_ROLLED_BACK");
            assertThat(state(lv, image)).isEqualTo(before);
            assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(32 * MIB);
            assertSentinel(lv, image);
        } finally {
            Cmd.run("chattr", "-i", image.toString());
        }

        // the lock was released with the rollback: the same growth now goes through
        awaitEnd(api, accepted(api, json("{'vm':'%s','target':'vdb','size':'+32M'}", vm)), "COMPLETED", TIMEOUT);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(64 * MIB);
        DiskOracle.State after = state(lv, image);
        assertThat(after.virtualSize()).isEqualTo(64 * MIB);
        assertThat(after.fileSize()).isEqualTo(64 * MIB);
        assertThat(after.allocated()).isGreaterThanOrEqualTo(64 * MIB);
        assertSentinel(lv, image);
    }

    /**
     * The VM is destroyed after the request was accepted (it ran then) and before its step: the
     * resize waits for approval meanwhile, so the order is certain (with a slow storage step alone it
     * was not: since the poll timer fires when the job ends, the VM step sometimes came before the
     * destroy). The preallocating storage step then completes, the VM is recorded NOT_RUNNING, and
     * it sees the new size when it starts again.
     */
    @Test
    void aVmDestroyedBeforeItsStepSeesTheNewSizeWhenItStarts() {
        try (ScratchMount slow = ScratchMount.ramfs();
             LibvirtFixture lvSlow = LibvirtFixture.create(LibvirtFixture.URI, slow.dir())) {
            Path image = withSentinel(lvSlow, lvSlow.createRawPreallocated("destroyed.img", 16 * MIB));
            String vm = lvSlow.startVm("destroyed", Disk.virtio(image, "vdb"));
            long target = 16 * MIB + 2048 * MIB;

            String id = accepted(api, json("{'vm':'%s','target':'vdb','size':'+2G'}", vm));
            DiskOracle.await("the resize waits for approval", TIMEOUT,
                    () -> "WAITING_FOR_APPROVAL".equals(api.get("/api/resizes/" + id).body().path("status").asText()));
            lvSlow.destroy(vm);
            JsonNode meanwhile = api.get("/api/resizes/" + id).body();
            assertThat(meanwhile.at("/vms/0/status").asText())
                    .as("the VM ran when the resize was accepted: " + meanwhile.toPrettyString()).isEqualTo("PENDING");
            org.camunda.bpm.engine.task.Task approval = tasks.createTaskQuery().processInstanceId(id).singleResult();
            approve(approval.getId(), "destroy test");

            JsonNode done = awaitEnd(api, id, "COMPLETED", TIMEOUT);
            assertThat(done.at("/vms/0/status").asText()).isEqualTo("NOT_RUNNING");
            assertThat(done.get("error").isNull()).isTrue();
            assertThat(auditTypes(api, image, id))
                    .containsExactly("RESIZE_REQUESTED", "RESIZE_APPROVED", "STORAGE_EXTENDED", "VM_SKIPPED", "RESIZE_COMPLETED");
            DiskOracle.State after = state(lvSlow, image);
            assertThat(after.virtualSize()).isEqualTo(target);
            assertThat(after.fileSize()).isEqualTo(target);
            assertThat(after.allocated()).as("preallocated").isGreaterThanOrEqualTo(target);
            assertSentinel(lvSlow, image);

            lvSlow.start(vm);
            assertThat(lvSlow.domblkinfoCapacity(vm, "vdb")).as("sees the new size when it starts").isEqualTo(target);
            // and the lock is gone
            awaitEnd(api, accepted(api, json("{'vm':'%s','target':'vdb','size':'+16M'}", vm)), "COMPLETED", TIMEOUT);
            assertThat(lvSlow.domblkinfoCapacity(vm, "vdb")).isEqualTo(target + 16 * MIB);
        }
    }

    /**
     * QEMU refuses the block resize for good (a raw disk seen through a fixed-size storage slice):
     * no VM saw the new size, so the preallocated storage growth is undone to the exact old capacity
     * and allocation, and the resize ends ROLLED_BACK with VM_RESIZE_FAILED.
     */
    @Test
    void aVmThatRefusesTheBlockResizeIsRolledBackToTheExactOldCapacityAndAllocation() {
        Path image = withSentinel(lv, lv.createRawPreallocated("fixed.img", 32 * MIB));
        String vm = lv.startVm("fixed", Disk.virtio(image, "vdb").asFixedSize());
        DiskOracle.State before = state(lv, image);
        String digest = lv.sha256(image, 0, (int) (32 * MIB));

        String id = accepted(api, json("{'vm':'%s','target':'vdb','size':'+32M'}", vm));
        JsonNode done = awaitEnd(api, id, "ROLLED_BACK", TIMEOUT);

        assertThat(done.at("/error/code").asText()).isEqualTo("VM_RESIZE_FAILED");
        assertThat(done.at("/error/message").asText()).contains("Cannot resize fixed-size raw disks");
        assertThat(done.at("/vms/0/status").asText()).isEqualTo("FAILED");
        assertThat(auditTypes(api, image, id))
                .containsExactly("RESIZE_REQUESTED", "STORAGE_EXTENDED", "STORAGE_ROLLED_BACK", "RESIZE_ROLLED_BACK");
        assertThat(state(lv, image)).as("exact old capacity and allocation").isEqualTo(before);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(32 * MIB);
        assertThat(lv.sha256(image, 0, (int) (32 * MIB))).as("every byte the guest had").isEqualTo(digest);
        assertSentinel(lv, image);

        // the lock is gone: once the VM is off, the same growth goes through the storage alone
        lv.destroy(vm);
        awaitEnd(api, accepted(api, json("{'vm':'%s','target':'vdb','size':'+32M'}", vm)), "COMPLETED", TIMEOUT);
        assertThat(state(lv, image).virtualSize()).isEqualTo(64 * MIB);
    }

    private static String describe(List<ApiClient.Response> answers) {
        StringBuilder s = new StringBuilder();
        for (ApiClient.Response r : answers) {
            s.append(r.status()).append(' ').append(r.body().path("code").asText(r.body().path("status").asText())).append("; ");
        }
        return s.toString();
    }
}
