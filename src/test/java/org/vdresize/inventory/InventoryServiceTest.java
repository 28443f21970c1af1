package org.vdresize.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What GET /api/disks shows when a host cannot be asked: its disks as last seen, not resizable. */
class InventoryServiceTest {

    static final long MIB = 1024 * 1024;

    /** local answers: vm1 with a.qcow2 in pool p; h2 is down and last had vm2 with b.qcow2 and the shared s.img. */
    static final class TwoHosts implements InventoryPort {
        final Vm vm1 = new Vm("local", "vm1", "u1", VmState.RUNNING,
                List.of(new VmDisk("vdb", "virtio", "disk", "/p/a.qcow2", "qcow2", false, false, null)));
        final Vm vm2 = new Vm("h2", "vm2", "u2", VmState.RUNNING, List.of(
                new VmDisk("vdb", "virtio", "disk", "/p/b.qcow2", "qcow2", false, false, null),
                new VmDisk("vdc", "virtio", "disk", "/p/s.img", "raw", false, true, null)));
        final StorageVolume a = new StorageVolume("local", "p", "a.qcow2", "/p/a.qcow2", "qcow2", 16 * MIB, MIB, null);
        final StorageVolume b = new StorageVolume("h2", "p", "b.qcow2", "/p/b.qcow2", "qcow2", 16 * MIB, MIB, null);
        final StorageVolume s = new StorageVolume("local", "p", "s.img", "/p/s.img", "raw", 8 * MIB, 0, null);
        final StorageVolume floatingOnH2 = new StorageVolume("h2", "q", "f.img", "/q/f.img", "raw", 8 * MIB, 0, null);
        boolean h2Down;
        StorageVolume extra;

        @Override
        public List<HostStatus> hosts() {
            return List.of(new HostStatus("local", "qemu:///system", true, null), new HostStatus("h2", "x", !h2Down, null));
        }

        @Override
        public List<Vm> vms() {
            return h2Down ? List.of(vm1) : List.of(vm1, vm2);
        }

        @Override
        public List<StoragePool> pools() {
            return List.of(new StoragePool("local", "p", "dir", "/p", 100 * MIB, 10 * MIB, 90 * MIB));
        }

        @Override
        public List<StorageVolume> volumes() {
            List<StorageVolume> live = new java.util.ArrayList<>(h2Down ? List.of(a, s) : List.of(a, s, floatingOnH2));
            if (extra != null) {
                live.add(extra);
            }
            return live;
        }

        @Override
        public Optional<Vm> findVm(String nameOrUuid) {
            return Optional.empty();
        }

        @Override
        public Optional<StorageVolume> volumeByPath(String path) {
            return Optional.empty();
        }

        @Override
        public Optional<StoragePool> findPool(String name) {
            return Optional.empty();
        }

        @Override
        public List<UnreachableHost> unreachableHosts() {
            return h2Down ? List.of(new UnreachableHost("h2", "Connection refused", List.of(vm2), List.of(b, floatingOnH2)))
                    : List.of();
        }
    }

    @Test
    void theDisksOfAnUnreachableHostStayListedAsUnavailableAndTheOthersAreUntouched() {
        TwoHosts port = new TwoHosts();
        port.h2Down = true;

        List<DiskView> disks = new InventoryService(port).disks(null, 1000).items();

        assertThat(disks).extracting(DiskView::path).containsExactlyInAnyOrder("/p/a.qcow2", "/p/s.img", "/p/b.qcow2", "/q/f.img");
        DiskView a = disk(disks, "/p/a.qcow2");
        assertThat(a.resizable()).isTrue();
        DiskView b = disk(disks, "/p/b.qcow2");
        assertThat(b.resizable()).isFalse();
        assertThat(b.notResizableBecause()).isEqualTo(InventoryService.UNAVAILABLE);
        assertThat(b.detail()).contains("h2").contains("Connection refused");
        assertThat(b.vms()).extracting(DiskView.VmUse::name, DiskView.VmUse::host, DiskView.VmUse::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("vm2", "h2", "UNKNOWN"));
        assertThat(b.capacity()).isEqualTo(16 * MIB);
        // shared storage seen live through local, but used by a VM of h2 that cannot be resized now
        DiskView s = disk(disks, "/p/s.img");
        assertThat(s.notResizableBecause()).isEqualTo(InventoryService.UNAVAILABLE);
        assertThat(s.host()).isEqualTo("local");
        assertThat(s.shareable()).isTrue();
        assertThat(disk(disks, "/q/f.img").notResizableBecause()).isEqualTo(InventoryService.UNAVAILABLE);
    }

    @Test
    void withEveryHostUpNothingIsMarked() {
        List<DiskView> disks = new InventoryService(new TwoHosts()).disks(null, 1000).items();

        assertThat(disks).allSatisfy(d -> assertThat(d.notResizableBecause()).as(d.path()).isNotEqualTo(InventoryService.UNAVAILABLE));
        assertThat(disks).hasSize(4);
    }

    @Test
    void pagesGoInPathOrderAndADiskAddedBetweenTwoReadsIsNeitherRepeatedNorHidesAnother() {
        TwoHosts port = new TwoHosts();
        port.h2Down = true;
        InventoryService inventory = new InventoryService(port);

        org.vdresize.common.Page<DiskView, String> first = inventory.disks(null, 2);
        assertThat(first.items()).extracting(DiskView::path).containsExactly("/p/a.qcow2", "/p/b.qcow2");
        assertThat(first.next()).isEqualTo("/p/b.qcow2");

        // h2 answers again (its VM and floating volume come back live) and a new disk appears before the cursor
        port.h2Down = false;
        port.extra = new StorageVolume("local", "p", "0.img", "/p/0.img", "raw", MIB, MIB, null);
        org.vdresize.common.Page<DiskView, String> second = inventory.disks(first.next(), 2);
        assertThat(second.items()).extracting(DiskView::path).containsExactly("/p/s.img", "/q/f.img");
        assertThat(second.items()).allSatisfy(d -> assertThat(d.notResizableBecause()).isNotEqualTo(InventoryService.UNAVAILABLE));
        assertThat(second.next()).as("the last page").isNull();

        assertThat(inventory.disks(null, 1000).items()).extracting(DiskView::path)
                .containsExactly("/p/0.img", "/p/a.qcow2", "/p/b.qcow2", "/p/s.img", "/q/f.img");
        assertThat(inventory.disks("/p/s.img", 1000).items()).extracting(DiskView::path).containsExactly("/q/f.img");
        assertThat(inventory.disks("/q/f.img", 1000).items()).isEmpty();
        // a cursor whose disk has gone meanwhile still says where to go on
        assertThat(inventory.disks("/p/r.gone", 1).items()).extracting(DiskView::path).containsExactly("/p/s.img");
    }

    private static DiskView disk(List<DiskView> disks, String path) {
        return disks.stream().filter(d -> d.path().equals(path)).findFirst().orElseThrow();
    }
}
