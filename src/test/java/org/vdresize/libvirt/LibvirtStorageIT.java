package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.common.NotFoundException;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/** Growing and shrinking back real volumes; oracles: qemu-img, stat and virsh. */
class LibvirtStorageIT extends LocalLibvirtIT {

    /** What a file system may add to a file's blocks (indirect blocks, extent tree). */
    private static final long FS_SLACK = 256 * 1024;

    private LibvirtStorage storage;
    private String pool;

    @BeforeAll
    void setUp() {
        storage = new LibvirtStorage(hosts);
        pool = lv.poolName();
    }

    @Test
    void growsASparseRawWithoutAllocating() {
        Path raw = lv.createRawSparse("thin.raw", 32 * MIB);

        storage.grow("local", pool, "thin.raw", 96 * MIB, false);

        assertThat(lv.fileSize(raw)).isEqualTo(96 * MIB);
        assertThat(lv.qemuImgVirtualSize(raw)).isEqualTo(96 * MIB);
        assertThat(lv.allocatedBytes(raw)).isLessThan(MIB);
        StorageVolume volume = storage.volume("local", pool, "thin.raw");
        assertThat(volume.capacity()).isEqualTo(96 * MIB);
        assertThat(volume.preallocated()).isFalse();
    }

    @Test
    void growsAPreallocatedRawWithAllocate() {
        Path raw = lv.createRawPreallocated("thick.raw", 32 * MIB);
        assertThat(lv.allocatedBytes(raw)).isGreaterThanOrEqualTo(32 * MIB);

        storage.grow("local", pool, "thick.raw", 80 * MIB, true);

        assertThat(lv.qemuImgVirtualSize(raw)).isEqualTo(80 * MIB);
        assertThat(lv.allocatedBytes(raw)).isGreaterThanOrEqualTo(80 * MIB);
        StorageVolume volume = storage.volume("local", pool, "thick.raw");
        assertThat(volume.capacity()).isEqualTo(80 * MIB);
        assertThat(volume.allocation()).isGreaterThanOrEqualTo(80 * MIB);
        assertThat(volume.preallocated()).isTrue();
    }

    @Test
    void growsAnUnusedQcow2() {
        Path qcow2 = lv.createQcow2("unused.qcow2", 64 * MIB);

        storage.grow("local", pool, "unused.qcow2", 1024 * MIB, false);

        assertThat(lv.qemuImgVirtualSize(qcow2)).isEqualTo(1024 * MIB);
        assertThat(lv.qemuImgCheck(qcow2)).isTrue();
        assertThat(storage.volume("local", pool, "unused.qcow2").capacity()).isEqualTo(1024 * MIB);
    }

    @Test
    void growToTheSameCapacityChangesNothing() {
        Path raw = lv.createRawSparse("same.raw", 16 * MIB);
        storage.grow("local", pool, "same.raw", 16 * MIB, true);
        assertThat(lv.fileSize(raw)).isEqualTo(16 * MIB);
        assertThat(lv.allocatedBytes(raw)).isLessThan(MIB); // ALLOCATE was not applied to an equal size
    }

    @Test
    void growRefusesToShrink() {
        Path raw = lv.createRawSparse("noshrink.raw", 16 * MIB);
        assertThatThrownBy(() -> storage.grow("local", pool, "noshrink.raw", 8 * MIB, false))
                .isInstanceOf(OperationFailedException.class)
                .hasMessageContaining("shrink");
        assertThat(lv.fileSize(raw)).isEqualTo(16 * MIB);
    }

    @Test
    void growOfAQcow2HeldByARunningQemuFailsAsAnOperationFailure() {
        Path qcow2 = lv.createQcow2("held.qcow2", 32 * MIB);
        lv.startVm("holder", Disk.virtio(qcow2, "vdb"));
        assertThatThrownBy(() -> storage.grow("local", pool, "held.qcow2", 64 * MIB, false))
                .isInstanceOf(OperationFailedException.class)
                .hasMessageContaining("lock");
        assertThat(lv.qemuImgVirtualSize(qcow2)).isEqualTo(32 * MIB);
    }

    @Test
    void shrinkBackOfAPreallocatedRawRestoresCapacityReleasesSpaceAndKeepsData() {
        Path raw = lv.createRawPreallocated("back.raw", 64 * MIB);
        byte[] sentinel = randomBytes(MIB, 1);
        lv.writeSentinel(raw, 0, sentinel);
        String before = lv.sha256(raw, 0, (int) MIB);
        storage.grow("local", pool, "back.raw", 192 * MIB, true);
        assertThat(lv.allocatedBytes(raw)).isGreaterThanOrEqualTo(192 * MIB);

        storage.shrinkBack("local", pool, "back.raw", 64 * MIB);

        assertThat(lv.fileSize(raw)).isEqualTo(64 * MIB);
        assertThat(lv.qemuImgVirtualSize(raw)).isEqualTo(64 * MIB);
        assertThat(lv.allocatedBytes(raw)).isBetween(64 * MIB, 64 * MIB + FS_SLACK);
        assertThat(lv.sha256(raw, 0, (int) MIB)).isEqualTo(before);
        assertThat(lv.readBytes(raw, 0, (int) MIB)).isEqualTo(sentinel);
        StorageVolume volume = storage.volume("local", pool, "back.raw");
        assertThat(volume.capacity()).isEqualTo(64 * MIB);
        assertThat(volume.allocation()).isLessThanOrEqualTo(64 * MIB + FS_SLACK);
        // libvirt's own view of the volume is current (the pool was refreshed)
        assertThat(LibvirtFixture.virsh("vol-info", "--bytes", "--pool", pool, "back.raw"))
                .contains(String.valueOf(64 * MIB));

        storage.shrinkBack("local", pool, "back.raw", 64 * MIB); // a retried compensation is harmless
        assertThat(lv.fileSize(raw)).isEqualTo(64 * MIB);
        assertThat(lv.readBytes(raw, 0, (int) MIB)).isEqualTo(sentinel);
    }

    @Test
    void shrinkBackOfASparseRawUsesLibvirt() {
        Path raw = lv.createRawSparse("backthin.raw", 32 * MIB);
        byte[] sentinel = randomBytes(4096, 2);
        lv.writeSentinel(raw, 512 * 1024, sentinel);
        storage.grow("local", pool, "backthin.raw", 128 * MIB, false);

        storage.shrinkBack("local", pool, "backthin.raw", 32 * MIB);

        assertThat(lv.fileSize(raw)).isEqualTo(32 * MIB);
        assertThat(lv.readBytes(raw, 512 * 1024, 4096)).isEqualTo(sentinel);
    }

    @Test
    void shrinkBackOfAQcow2RestoresCapacityAndKeepsData() {
        Path qcow2 = lv.createQcow2("back.qcow2", 64 * MIB);
        byte[] sentinel = randomBytes(MIB, 3);
        lv.writeSentinel(qcow2, 0, sentinel);
        String before = lv.sha256(qcow2, 0, (int) MIB);
        long allocatedBefore = lv.allocatedBytes(qcow2);
        storage.grow("local", pool, "back.qcow2", 2048 * MIB, false);
        assertThat(lv.qemuImgVirtualSize(qcow2)).isEqualTo(2048 * MIB);

        storage.shrinkBack("local", pool, "back.qcow2", 64 * MIB);

        assertThat(lv.qemuImgVirtualSize(qcow2)).isEqualTo(64 * MIB);
        assertThat(lv.allocatedBytes(qcow2)).isLessThanOrEqualTo(allocatedBefore + FS_SLACK);
        assertThat(lv.qemuImgCheck(qcow2)).isTrue();
        assertThat(lv.sha256(qcow2, 0, (int) MIB)).isEqualTo(before);
        assertThat(lv.readBytes(qcow2, 0, (int) MIB)).isEqualTo(sentinel);
        assertThat(storage.volume("local", pool, "back.qcow2").capacity()).isEqualTo(64 * MIB);
    }

    @Test
    void shrinkBackRefusesToGrow() {
        lv.createRawSparse("notshrink.raw", 16 * MIB);
        assertThatThrownBy(() -> storage.shrinkBack("local", pool, "notshrink.raw", 32 * MIB))
                .isInstanceOf(OperationFailedException.class);
    }

    @Test
    void missingVolumeOrPoolIsNotFound() {
        assertThatThrownBy(() -> storage.volume("local", pool, "missing.qcow2"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("missing.qcow2");
        assertThatThrownBy(() -> storage.grow("local", lv.name("missing-pool"), "x.raw", MIB, false))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> storage.shrinkBack("local", pool, "missing.raw", MIB))
                .isInstanceOf(NotFoundException.class);
    }

    private static byte[] randomBytes(long length, long seed) {
        byte[] bytes = new byte[(int) length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
