package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.common.NotFoundException;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.vm.BlockInfo;
import org.vdresize.vm.HypervisorPort;

/** Block info and block resize on a running QEMU; oracle: virsh domblkinfo and qemu-img. */
class LibvirtHypervisorIT extends LocalLibvirtIT {

    private LibvirtHypervisor hypervisor;
    private LibvirtInventory inventory;
    private LibvirtStorage storage;

    private Path qcow2;
    private Path raw;
    private Path info;
    private Path offDisk;
    private Path growOnce;
    private String vm;
    private String uuid;
    private String offUuid;

    @BeforeAll
    void setUp() {
        hypervisor = new LibvirtHypervisor(hosts);
        inventory = new LibvirtInventory(hosts);
        storage = new LibvirtStorage(hosts);

        qcow2 = lv.createQcow2("grow.qcow2", 64 * MIB);
        raw = lv.createRawSparse("grow.raw", 32 * MIB);
        info = lv.createQcow2("info.qcow2", 48 * MIB);
        offDisk = lv.createQcow2("off.qcow2", 16 * MIB);
        growOnce = lv.createQcow2("grow-once.qcow2", 24 * MIB);
        vm = lv.startVm("vm", Disk.virtio(qcow2, "vdb"), Disk.scsi(raw, "sdb"), Disk.virtio(info, "vdc"),
                Disk.virtio(growOnce, "vdd"));
        uuid = lv.uuid(vm);
        offUuid = lv.uuid(lv.defineVm("off", List.of(Disk.virtio(offDisk, "vda"))));
    }

    @Test
    void blockInfoIsWhatQemuReports() {
        BlockInfo blockInfo = hypervisor.blockInfo("local", uuid, "vdc");
        assertThat(blockInfo.capacity()).isEqualTo(48 * MIB).isEqualTo(lv.domblkinfoCapacity(vm, "vdc"));
        assertThat(blockInfo.allocation()).isEqualTo(lv.domblkinfoAllocation(vm, "vdc"));
        assertThat(blockInfo.physical()).isPositive();
    }

    @Test
    void blockResizeGrowsAQcow2HeldByQemu() {
        hypervisor.blockResize("local", uuid, "vdb", 96 * MIB);

        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(96 * MIB);
        assertThat(hypervisor.blockInfo("local", uuid, "vdb").capacity()).isEqualTo(96 * MIB);
        assertThat(lv.qemuImgVirtualSize(qcow2)).isEqualTo(96 * MIB);
        // the inventory re-reads the image that QEMU grew
        StorageVolume volume = inventory.volumeByPath(qcow2.toString()).orElseThrow();
        assertThat(volume.capacity()).isEqualTo(96 * MIB);
    }

    @Test
    void blockResizeOfARawScsiDiskAfterTheStorageGrew() {
        storage.grow("local", lv.poolName(), "grow.raw", 80 * MIB, false);
        assertThat(lv.domblkinfoCapacity(vm, "sdb")).isEqualTo(32 * MIB); // QEMU does not know yet

        hypervisor.blockResize("local", uuid, "sdb", 80 * MIB);

        assertThat(lv.domblkinfoCapacity(vm, "sdb")).isEqualTo(80 * MIB);
        assertThat(lv.fileSize(raw)).isEqualTo(80 * MIB);
    }

    @Test
    void blockResizeToTheCurrentSizeIsANoOpAndASmallerSizeIsRefused() {
        long capacity = lv.domblkinfoCapacity(vm, "vdc");
        hypervisor.blockResize("local", uuid, "vdc", capacity);
        assertThat(lv.domblkinfoCapacity(vm, "vdc")).isEqualTo(capacity);

        assertThatThrownBy(() -> hypervisor.blockResize("local", uuid, "vdc", capacity - MIB))
                .isInstanceOf(OperationFailedException.class)
                .hasMessageContaining("shrink");
        assertThat(lv.domblkinfoCapacity(vm, "vdc")).isEqualTo(capacity);
    }

    @Test
    void growResizesOnceReadsBackAndNeverShrinks() {
        assertThat(hypervisor.grow("local", uuid, "vdd", 40 * MIB)).isEqualTo(new HypervisorPort.Growth(24 * MIB, 40 * MIB));
        assertThat(lv.domblkinfoCapacity(vm, "vdd")).isEqualTo(40 * MIB);

        assertThat(hypervisor.grow("local", uuid, "vdd", 32 * MIB)).isEqualTo(new HypervisorPort.Growth(40 * MIB, 40 * MIB));
        assertThat(hypervisor.grow("local", uuid, "vdd", 40 * MIB)).isEqualTo(new HypervisorPort.Growth(40 * MIB, 40 * MIB));
        assertThat(lv.domblkinfoCapacity(vm, "vdd")).isEqualTo(40 * MIB);
        assertThatThrownBy(() -> hypervisor.grow("local", uuid, "vdz", 40 * MIB)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void unknownDiskOrDomainIsNotFound() {
        assertThatThrownBy(() -> hypervisor.blockInfo("local", uuid, "vdz"))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("vdz");
        assertThatThrownBy(() -> hypervisor.blockResize("local", uuid, "vdz", 128 * MIB))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> hypervisor.blockInfo("local", "00000000-0000-0000-0000-00000000dead", "vda"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void blockResizeOfAShutOffDomainFails() {
        assertThatThrownBy(() -> hypervisor.blockResize("local", offUuid, "vda", 32 * MIB))
                .isInstanceOf(OperationFailedException.class)
                .hasMessageContaining("not running");
        assertThat(lv.qemuImgVirtualSize(offDisk)).isEqualTo(16 * MIB);
    }
}
