package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * The inventory's lookups by path (vmsUsing, volumesBackedBy) answer exactly what filtering the
 * full listings would, on real domains and volumes, also after images change behind a kept read.
 */
class PathLookupsIT extends LocalLibvirtIT {

    private LibvirtInventory inventory;

    @BeforeAll
    void setUp() {
        inventory = new LibvirtInventory(hosts);
    }

    @Test
    void vmsUsingFindsRunningAndDefinedUsersOnlyAndAgreesWithTheListing() {
        Path shared = lv.createRawSparse("shared.raw", 8 * MIB);
        Path other = lv.createQcow2("other.qcow2", 8 * MIB);
        String running = lv.startVm("running", Disk.virtio(shared, "vdb").asShareable(), Disk.virtio(other, "vdc"));
        String off = lv.defineVm("off", List.of(Disk.virtio(shared, "vdb").asShareable()));
        lv.startVm("unrelated", Disk.virtio(lv.createQcow2("unrelated.qcow2", 8 * MIB), "vdb"));

        List<Vm> users = inventory.vmsUsing(shared.toString());

        assertThat(users).extracting(Vm::name).containsExactlyInAnyOrder(running, off);
        assertThat(users).containsExactlyInAnyOrderElementsOf(inventory.vms().stream()
                .filter(vm -> vm.diskByPath(shared.toString()).isPresent()).toList());
        assertThat(inventory.vmsUsing(other.toString())).extracting(Vm::name).containsExactly(running);
        assertThat(inventory.vmsUsing(lv.poolDir().resolve("nobody.raw").toString())).isEmpty();
    }

    @Test
    void volumesBackedBySeesOverlaysCreatedDeletedAndRecreatedBetweenCalls() {
        Path base = lv.createQcow2("base.qcow2", 16 * MIB);
        lv.createQcow2("plain.qcow2", 16 * MIB);
        assertThat(inventory.volumesBackedBy(base.toString())).isEmpty(); // reads and keeps every volume

        Path overlay = lv.createQcow2Overlay("overlay.qcow2", base, 16 * MIB);
        long reads = inventory.backingVolumeReads();
        assertThat(inventory.volumesBackedBy(base.toString())).extracting(StorageVolume::path)
                .containsExactly(overlay.toString());
        assertThat(inventory.backingVolumeReads() - reads).as("only the new volume is read").isEqualTo(1);
        reads = inventory.backingVolumeReads();
        assertThat(inventory.volumesBackedBy(base.toString())).extracting(StorageVolume::path)
                .containsExactly(overlay.toString()); // now from what was kept
        assertThat(inventory.backingVolumeReads()).as("nothing changed: nothing read").isEqualTo(reads);

        // the same name, now without a backing file: the file changed, so it is read again
        LibvirtFixture.virsh("vol-delete", "--pool", lv.poolName(), "overlay.qcow2");
        assertThat(inventory.volumesBackedBy(base.toString())).isEmpty();
        lv.createQcow2("overlay.qcow2", 16 * MIB);
        assertThat(inventory.volumesBackedBy(base.toString())).isEmpty();

        // and back to an overlay under the same name
        LibvirtFixture.virsh("vol-delete", "--pool", lv.poolName(), "overlay.qcow2");
        lv.createQcow2Overlay("overlay.qcow2", base, 16 * MIB);
        assertThat(inventory.volumesBackedBy(base.toString())).extracting(StorageVolume::path)
                .containsExactly(overlay.toString());

        assertThat(inventory.volumesBackedBy(base.toString())).containsExactlyInAnyOrderElementsOf(
                inventory.volumes().stream().filter(v -> base.toString().equals(v.backingPath())).toList());
    }
}
