package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.common.NotFoundException;
import org.vdresize.inventory.StoragePool;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.inventory.VmState;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/** The inventory against real domains, pools and volumes on qemu:///system. */
class LibvirtInventoryIT extends LocalLibvirtIT {

    private LibvirtInventory inventory;

    private Path qcow2;
    private Path shared;
    private Path readOnly;
    private Path base;
    private Path overlay;
    private String running;
    private String paused;
    private String shutOff;

    @BeforeAll
    void setUp() {
        inventory = new LibvirtInventory(hosts);

        qcow2 = lv.createQcow2("data.qcow2", 64 * MIB);
        shared = lv.createRawPreallocated("shared.raw", 16 * MIB);
        readOnly = lv.createRawSparse("ro.raw", 8 * MIB);
        base = lv.createQcow2("base.qcow2", 32 * MIB);
        overlay = lv.createQcow2Overlay("overlay.qcow2", base, 32 * MIB);

        running = lv.startVm("running",
                Disk.virtio(qcow2, "vdb").withSerial("SER-DATA"),
                Disk.scsi(shared, "sda").asShareable(),
                Disk.virtio(readOnly, "vdc").asReadOnly(),
                Disk.cdrom(null, "hdc"));
        paused = lv.startVm("paused", Disk.virtio(overlay, "vda"));
        lv.suspend(paused);
        shutOff = lv.defineVm("off", List.of(Disk.virtio(base, "vda")));
    }

    @Test
    void parsesEveryKindOfDisk() {
        Vm vm = inventory.findVm(running).orElseThrow();

        assertThat(vm.host()).isEqualTo("local");
        assertThat(vm.name()).isEqualTo(running);
        assertThat(vm.uuid()).isEqualTo(lv.uuid(running));
        // libvirt orders disks its own way; an empty CD-ROM loses its driver type
        assertThat(vm.disks()).containsExactlyInAnyOrder(
                new VmDisk("vdb", "virtio", "disk", qcow2.toString(), "qcow2", false, false, "SER-DATA"),
                new VmDisk("sda", "scsi", "disk", shared.toString(), "raw", false, true, null),
                new VmDisk("vdc", "virtio", "disk", readOnly.toString(), "raw", true, false, null),
                new VmDisk("hdc", "ide", "cdrom", null, null, true, false, null));
        assertThat(vm.diskByTarget("hdc").orElseThrow().isCdromOrFloppy()).isTrue();
        assertThat(vm.diskByPath(shared.toString()).orElseThrow().target()).isEqualTo("sda");
    }

    @Test
    void findsByUuidAsByName() {
        String uuid = lv.uuid(running);
        assertThat(inventory.findVm(uuid)).contains(inventory.findVm(running).orElseThrow());
        assertThat(inventory.findVm(uuid.replace("-", ""))).map(Vm::name).contains(running);
    }

    @Test
    void foldsStatesWithTheirReasons() {
        assertThat(lv.domstate(running)).startsWith("running");
        assertThat(lv.domstate(paused)).isEqualTo("paused (user)");
        assertThat(lv.domstate(shutOff)).startsWith("shut off");

        assertThat(inventory.findVm(running).orElseThrow().state()).isEqualTo(VmState.RUNNING);
        assertThat(inventory.findVm(paused).orElseThrow().state()).isEqualTo(VmState.PAUSED);
        assertThat(inventory.findVm(shutOff).orElseThrow().state()).isEqualTo(VmState.SHUT_OFF);
    }

    @Test
    void listsEveryDomainOfTheHost() {
        List<Vm> vms = inventory.vms();
        assertThat(vms).extracting(Vm::name).contains(running, paused, shutOff);
        assertThat(vms).filteredOn(v -> v.name().equals(paused)).singleElement()
                .satisfies(v -> assertThat(v.disks()).extracting(VmDisk::sourcePath).containsExactly(overlay.toString()));
    }

    @Test
    void listsThePoolWithTypeTargetAndSizes() {
        StoragePool pool = inventory.findPool(lv.poolName()).orElseThrow();
        assertThat(pool.host()).isEqualTo("local");
        assertThat(pool.type()).isEqualTo("dir");
        assertThat(pool.targetPath()).isEqualTo(lv.poolDir().toString());
        assertThat(pool.capacity()).isPositive();
        assertThat(pool.available()).isPositive().isLessThanOrEqualTo(pool.capacity());
        assertThat(inventory.pools()).contains(pool);
    }

    @Test
    void listsVolumesWithFormatSizesAndBackingStore() {
        List<StorageVolume> volumes = inventory.volumes().stream().filter(v -> v.pool().equals(lv.poolName())).toList();
        assertThat(volumes).extracting(StorageVolume::name)
                .contains("data.qcow2", "shared.raw", "ro.raw", "base.qcow2", "overlay.qcow2");

        StorageVolume data = volumes.stream().filter(v -> v.name().equals("data.qcow2")).findFirst().orElseThrow();
        assertThat(data.format()).isEqualTo("qcow2");
        assertThat(data.capacity()).isEqualTo(lv.qemuImgVirtualSize(qcow2));
        assertThat(data.backingPath()).isNull();

        StorageVolume sharedVolume = volumes.stream().filter(v -> v.name().equals("shared.raw")).findFirst().orElseThrow();
        assertThat(sharedVolume.format()).isEqualTo("raw");
        assertThat(sharedVolume.allocation()).isEqualTo(lv.allocatedBytes(shared));
        assertThat(sharedVolume.preallocated()).isTrue();
    }

    @Test
    void findsAVolumeByPath() {
        StorageVolume volume = inventory.volumeByPath(overlay.toString()).orElseThrow();
        assertThat(volume).isEqualTo(new StorageVolume("local", lv.poolName(), "overlay.qcow2", overlay.toString(),
                "qcow2", 32 * MIB, lv.allocatedBytes(overlay), base.toString()));

        StorageVolume sparse = inventory.volumeByPath(readOnly.toString()).orElseThrow();
        assertThat(sparse.format()).isEqualTo("raw");
        assertThat(sparse.preallocated()).isFalse();
    }

    @Test
    void findsAFileCreatedBehindLibvirtsBack() throws IOException {
        Path file = lv.poolDir().resolve("outside.raw");
        Files.write(file, new byte[4096]);
        assertThat(LibvirtFixture.virsh("vol-list", lv.poolName())).doesNotContain("outside.raw");

        StorageVolume volume = inventory.volumeByPath(file.toString()).orElseThrow();
        assertThat(volume.name()).isEqualTo("outside.raw");
        assertThat(volume.pool()).isEqualTo(lv.poolName());
        assertThat(volume.capacity()).isEqualTo(4096);
    }

    @Test
    void answersEmptyForWhatDoesNotExist() {
        assertThat(inventory.findVm(lv.name("no-such-vm"))).isEmpty();
        assertThat(inventory.findVm("00000000-0000-0000-0000-00000000abcd")).isEmpty();
        assertThat(inventory.volumeByPath(lv.poolDir().resolve("nothing.qcow2").toString())).isEmpty();
        assertThat(inventory.volumeByPath("/nonexistent-dir/x.raw")).isEmpty();
        assertThat(inventory.findPool(lv.name("no-such-pool"))).isEmpty();
    }

    @Test
    void unknownHostIsNotFound() {
        assertThatThrownBy(() -> new LibvirtStorage(hosts).volume("elsewhere", lv.poolName(), "data.qcow2"))
                .isInstanceOf(NotFoundException.class);
    }
}
