package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vdresize.common.NotFoundException;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StoragePool;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.inventory.VmState;
import org.vdresize.lock.DiskLockService;
import org.vdresize.storage.StoragePort;
import org.vdresize.vm.BlockInfo;
import org.vdresize.vm.BlockJob;
import org.vdresize.vm.HypervisorPort;

class ResizeRulesTest {

    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    static final String PATH = "/pool/disk.qcow2";

    final InventoryPort inventory = mock(InventoryPort.class);
    final StoragePort storage = mock(StoragePort.class);
    final HypervisorPort hypervisor = mock(HypervisorPort.class);
    final DiskLockService locks = mock(DiskLockService.class);
    final List<Vm> vms = new ArrayList<>();
    final List<StorageVolume> volumes = new ArrayList<>();
    StoragePool pool = new StoragePool("local", "p", "dir", "/pool", 100 * GIB, 10 * GIB, 90 * GIB);
    double overcommit = 0;

    @BeforeEach
    void inventory() {
        when(inventory.vms()).thenReturn(vms);
        // the path lookups answer from vms() and volumes(), as the port's defaults do
        when(inventory.vmsUsing(anyString())).thenCallRealMethod();
        when(inventory.volumesBackedBy(anyString())).thenCallRealMethod();
        when(inventory.volumes()).thenReturn(volumes);
        when(inventory.findPool(anyString())).thenAnswer(i -> Optional.of(pool).filter(p -> p.name().equals(i.getArgument(0))));
        when(inventory.findVm(anyString())).thenAnswer(i -> vms.stream()
                .filter(vm -> vm.name().equals(i.getArgument(0)) || vm.uuid().equals(i.getArgument(0))).findFirst());
        when(inventory.volumeByPath(anyString())).thenAnswer(i -> volumes.stream()
                .filter(v -> v.path().equals(i.getArgument(0))).findFirst());
        when(storage.volume(anyString(), anyString(), anyString())).thenAnswer(i -> volumes.stream()
                .filter(v -> v.pool().equals(i.getArgument(1)) && v.name().equals(i.getArgument(2))).findFirst()
                .orElseThrow(() -> new NotFoundException("no volume")));
        when(locks.activeHolder(anyString())).thenReturn(Optional.empty());
    }

    ResizeRules rules() {
        return new ResizeRules(inventory, storage, hypervisor, locks, new ResizeLimits(4 * GIB, overcommit),
                new ApprovalSettings(0, 0, true));
    }

    StorageVolume volume(String format, long capacity, long allocation) {
        StorageVolume v = new StorageVolume("local", "p", "disk", PATH, format, capacity, allocation, null);
        volumes.add(v);
        return v;
    }

    Vm vm(String name, VmState state, VmDisk disk) {
        Vm vm = new Vm("local", name, name + "-uuid", state, List.of(disk));
        vms.add(vm);
        return vm;
    }

    static VmDisk disk(String target) {
        return new VmDisk(target, "virtio", "disk", PATH, "qcow2", false, false, null);
    }

    static ResizeRequest byVm(String vm, String target, Object size) {
        return new ResizeRequest(vm, target, null, null, null, size, null, null, null);
    }

    static ResizeRequest byPath(String path, Object size) {
        return new ResizeRequest(null, null, null, null, path, size, null, null, null);
    }

    RejectionCode rejection(ResizeRequest request) {
        try {
            rules().validate(request);
        } catch (ResizeRejectedException e) {
            return e.code();
        }
        throw new AssertionError("request was accepted");
    }

    @Test
    void growsByRelativeSizeFromWhatQemuReportsForARunningVm() {
        volume("qcow2", GIB, MIB);
        vm("vm1", VmState.RUNNING, disk("vdb"));
        // QEMU already grew the image further than the pool's stale view
        when(hypervisor.blockInfo("local", "vm1-uuid", "vdb")).thenReturn(new BlockInfo(2 * GIB, MIB, 2 * GIB));

        ValidatedResize v = rules().validate(byVm("vm1", "vdb", "+512M"));

        assertThat(v.oldSize()).isEqualTo(2 * GIB);
        assertThat(v.newSize()).isEqualTo(2 * GIB + 512 * MIB);
        assertThat(v.diskPath()).isEqualTo(PATH);
        assertThat(v.noop()).isFalse();
        assertThat(v.vms()).extracting(ValidatedResize.VmUse::name).containsExactly("vm1");
    }

    @Test
    void roundsTheTargetUpToWholeMebibytes() {
        volume("raw", GIB, 0);
        ValidatedResize v = rules().validate(byPath(PATH, GIB + 1));
        assertThat(v.newSize()).isEqualTo(GIB + MIB);
    }

    @Test
    void sameSizeIsANoop() {
        volume("raw", GIB, 0);
        ValidatedResize v = rules().validate(byPath(PATH, "1G"));
        assertThat(v.noop()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"+0", "+0M", "+1B", "+100K"})
    void aGrowthThatRoundsToTheCurrentSizeIsANoopEvenWhereAGrowthWouldBeRefused(String size) {
        volume("raw", GIB, 0);
        // a no-op needs no lock, no space and no approval: it changes nothing
        when(locks.activeHolder(PATH)).thenReturn(Optional.of("another-resize"));
        ValidatedResize v = rules().validate(byPath(PATH, size));
        assertThat(v.noop()).isTrue();
        assertThat(v.newSize()).isEqualTo(GIB);
        assertThat(v.oldSize()).isEqualTo(GIB);
        assertThat(rejection(byPath(PATH, "+1M"))).isEqualTo(RejectionCode.DISK_BUSY);
    }

    @Test
    void shrinkIsRefused() {
        volume("raw", 2 * GIB, 0);
        assertThat(rejection(byPath(PATH, "1G"))).isEqualTo(RejectionCode.SHRINK_NOT_SUPPORTED);
    }

    @Test
    void unknownNames() {
        volume("raw", GIB, 0);
        assertThat(rejection(byVm("nope", "vdb", "2G"))).isEqualTo(RejectionCode.UNKNOWN_VM);
        vm("vm1", VmState.RUNNING, disk("vdb"));
        assertThat(rejection(byVm("vm1", "vdz", "2G"))).isEqualTo(RejectionCode.UNKNOWN_DISK);
        assertThat(rejection(new ResizeRequest(null, null, "nopool", "disk", null, "2G", null, null, null)))
                .isEqualTo(RejectionCode.UNKNOWN_POOL);
        assertThat(rejection(new ResizeRequest(null, null, "p", "nodisk", null, "2G", null, null, null)))
                .isEqualTo(RejectionCode.UNKNOWN_DISK);
        assertThat(rejection(byPath("/elsewhere/x.img", "2G"))).isEqualTo(RejectionCode.UNKNOWN_DISK);
    }

    @Test
    void requestShape() {
        assertThat(rejection(new ResizeRequest("vm", "vdb", null, null, "/a", "2G", null, null, null)))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(new ResizeRequest(null, null, null, null, null, "2G", null, null, null)))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(new ResizeRequest("vm", null, null, null, null, "2G", null, null, null)))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(byPath("/pool/../etc/passwd", "2G"))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(byPath("relative.img", "2G"))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(byPath("/pool/a\0b", "2G"))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(byPath(PATH, null))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(rejection(new ResizeRequest(null, null, null, null, PATH, "2G", null, null, "x".repeat(501))))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        volume("raw", GIB, 0);
        assertThat(rejection(byPath(PATH, "2 apples"))).isEqualTo(RejectionCode.INVALID_SIZE);
    }

    @Test
    void readOnlyCdromAndVmStates() {
        volume("raw", GIB, 0);
        vm("ro", VmState.RUNNING, new VmDisk("vdb", "virtio", "disk", PATH, "raw", true, false, null));
        assertThat(rejection(byPath(PATH, "2G"))).isEqualTo(RejectionCode.READ_ONLY_DISK);
        vms.clear();
        vm("cd", VmState.RUNNING, new VmDisk("hdc", "ide", "cdrom", PATH, "raw", false, false, null));
        assertThat(rejection(byPath(PATH, "2G"))).isEqualTo(RejectionCode.UNSUPPORTED_DISK);
        for (VmState state : List.of(VmState.MIGRATING, VmState.PAUSED_IO_ERROR, VmState.CRASHED, VmState.STARTING,
                VmState.SHUTTING_DOWN, VmState.SAVING_OR_RESTORING)) {
            vms.clear();
            vm("v", state, new VmDisk("vdb", "virtio", "disk", PATH, "raw", false, false, null));
            assertThat(rejection(byPath(PATH, "2G"))).as(state.name()).isEqualTo(RejectionCode.VM_STATE);
        }
    }

    @Test
    void backingFileParentsAreNeverGrown() {
        volume("qcow2", GIB, MIB);
        volumes.add(new StorageVolume("local", "p", "overlay", "/pool/overlay.qcow2", "qcow2", GIB, MIB, PATH));
        assertThat(rejection(byPath(PATH, "2G"))).isEqualTo(RejectionCode.UNSUPPORTED_DISK);
    }

    @Test
    void limitsSpaceAndBusy() {
        volume("raw", GIB, GIB);
        assertThat(rejection(byPath(PATH, "5G"))).isEqualTo(RejectionCode.SIZE_LIMIT);

        pool = new StoragePool("local", "p", "dir", "/pool", 100 * GIB, 99 * GIB, GIB);
        assertThat(rejection(byPath(PATH, "3G"))).as("preallocated growth of 2 GiB into 1 GiB free")
                .isEqualTo(RejectionCode.INSUFFICIENT_SPACE);

        when(locks.activeHolder(PATH)).thenReturn(Optional.of("other-resize"));
        assertThat(rejection(byPath(PATH, "1025M"))).isEqualTo(RejectionCode.DISK_BUSY);
    }

    @Test
    void aPoolOfUnknownSizeIsNotCheckedForSpace() {
        volume("raw", GIB, GIB);
        pool = new StoragePool("local", "p", "dir", "/ramfs", 0, 2 * GIB, 0);
        assertThat(rules().validate(byPath(PATH, "2G")).newSize()).isEqualTo(2 * GIB);
    }

    @Test
    void thinVolumesFollowTheOvercommitPolicy() {
        volume("qcow2", GIB, MIB);
        pool = new StoragePool("local", "p", "dir", "/pool", 2 * GIB, MIB, 2 * GIB);
        assertThat(rules().validate(byPath(PATH, "4G")).newSize()).as("no policy: thin growth allowed").isEqualTo(4 * GIB);
        overcommit = 1.5;
        assertThat(rejection(byPath(PATH, "4G"))).isEqualTo(RejectionCode.INSUFFICIENT_SPACE);
        assertThat(rules().validate(byPath(PATH, "3G")).newSize()).isEqualTo(3 * GIB);
    }

    @Test
    void aDiskInNoPoolNeedsARunningVm() {
        vm("off", VmState.SHUT_OFF, new VmDisk("vdb", "virtio", "disk", "/loose/x.img", "raw", false, false, null));
        assertThat(rejection(byPath("/loose/x.img", "2G"))).isEqualTo(RejectionCode.UNSUPPORTED_DISK);
    }

    @Test
    void aRejectedRequestTouchesNothing() {
        volume("raw", 2 * GIB, 0);
        vm("vm1", VmState.RUNNING, new VmDisk("vdb", "virtio", "disk", PATH, "raw", false, false, null));
        when(hypervisor.blockInfo(anyString(), anyString(), anyString())).thenReturn(new BlockInfo(2 * GIB, 0, 2 * GIB));
        assertThatThrownBy(() -> rules().validate(byPath(PATH, "1G"))).isInstanceOf(ResizeRejectedException.class);
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), any(Long.class));
        verify(storage, never()).grow(anyString(), anyString(), anyString(), any(Long.class), any(Boolean.class));
        verify(locks, never()).tryAcquire(anyString(), anyString());
    }

    @Test
    void aBlockJobOnTheDiskOfARunningVmIsDiskBusyNamingTheJobAndTheVm() {
        volume("qcow2", GIB, MIB);
        vm("vm1", VmState.RUNNING, disk("vdb"));
        when(hypervisor.blockInfo("local", "vm1-uuid", "vdb")).thenReturn(new BlockInfo(GIB, MIB, GIB));
        when(hypervisor.blockJob("local", "vm1-uuid", "vdb")).thenReturn(Optional.of(new BlockJob(BlockJob.Kind.COPY, 3, 10)));

        assertThatThrownBy(() -> rules().validate(byVm("vm1", "vdb", "+1G"))).isInstanceOf(ResizeRejectedException.class)
                .satisfies(e -> assertThat(((ResizeRejectedException) e).code()).isEqualTo(RejectionCode.DISK_BUSY))
                .satisfies(e -> assertThat(((ResizeRejectedException) e).diskPath()).isEqualTo(PATH))
                .hasMessage("a block copy job (30 % done) runs on vdb of VM vm1; QEMU refuses a resize until it ends: "
                        + "wait for it, or abort it (virsh blockjob vm1 vdb --abort)");
        verify(locks, never()).tryAcquire(anyString(), anyString());
        verify(storage, never()).grow(anyString(), anyString(), anyString(), any(Long.class), any(Boolean.class));
    }

    @Test
    void everyRunningVmOfASharedDiskIsAskedAndAShutOffOneIsNot() {
        volume("raw", GIB, 0);
        vm("off", VmState.SHUT_OFF, disk("vdc"));
        vm("idle", VmState.RUNNING, disk("vdb"));
        vm("paused", VmState.PAUSED, disk("vdd"));
        when(hypervisor.blockInfo(anyString(), anyString(), anyString())).thenReturn(new BlockInfo(GIB, 0, GIB));
        assertThat(rules().validate(byPath(PATH, "+1G")).newSize()).as("no job anywhere").isEqualTo(2 * GIB);
        verify(hypervisor).blockJob("local", "idle-uuid", "vdb");
        verify(hypervisor).blockJob("local", "paused-uuid", "vdd");
        verify(hypervisor, never()).blockJob("local", "off-uuid", "vdc");

        when(hypervisor.blockJob("local", "paused-uuid", "vdd")).thenReturn(Optional.of(new BlockJob(BlockJob.Kind.ACTIVE_COMMIT, 0, 0)));
        assertThatThrownBy(() -> rules().validate(byPath(PATH, "+1G")))
                .hasMessageStartingWith("an active block commit job runs on vdd of VM paused;");
    }

    @Test
    void aNoopIsNotRefusedForABlockJob() {
        volume("qcow2", GIB, MIB);
        vm("vm1", VmState.RUNNING, disk("vdb"));
        when(hypervisor.blockInfo("local", "vm1-uuid", "vdb")).thenReturn(new BlockInfo(GIB, MIB, GIB));
        when(hypervisor.blockJob("local", "vm1-uuid", "vdb")).thenReturn(Optional.of(new BlockJob(BlockJob.Kind.BACKUP, 1, 2)));
        assertThat(rules().validate(byVm("vm1", "vdb", "1G")).noop()).as("nothing would change").isTrue();
    }
}
