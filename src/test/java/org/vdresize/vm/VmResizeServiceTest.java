package org.vdresize.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vdresize.common.OperationFailedException;
import org.vdresize.common.TransientFailureException;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.inventory.VmState;

/** "Not found" from an inventory that could not ask every host is not an answer (LibvirtdRestartIT found it). */
class VmResizeServiceTest {

    static final String UUID = "6f1f8d2e-0000-4000-8000-000000000001";
    static final String PATH = "/pool/disk.img";

    final InventoryPort inventory = mock(InventoryPort.class);
    final HypervisorPort hypervisor = mock(HypervisorPort.class);
    final VmResizeService service = new VmResizeService(inventory, hypervisor);

    @BeforeEach
    void growThroughBlockInfoAndBlockResize() {
        // as the port's default does: the single calls below are what the tests script and verify
        when(hypervisor.grow(anyString(), anyString(), anyString(), org.mockito.ArgumentMatchers.anyLong())).thenCallRealMethod();
    }

    @Test
    void aVmNotFoundWhileAHostIsDownIsATransientFailureNotGone() {
        when(inventory.findVm(UUID)).thenReturn(Optional.empty());
        when(inventory.hosts()).thenReturn(List.of(new HostStatus("local", "qemu:///system", true, null),
                new HostStatus("vmhost", "qemu+unix:///system", false, "Connection refused")));

        assertThatThrownBy(() -> service.resize(UUID, PATH, 2048)).isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("vmhost");
        assertThatThrownBy(() -> service.capacityNow(UUID, PATH)).as("counted as 'may have seen it' by the caller")
                .isInstanceOf(TransientFailureException.class);
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), org.mockito.ArgumentMatchers.anyLong());
    }

    @Test
    void aVmNotFoundWhileEveryHostAnswersIsGone() {
        when(inventory.findVm(UUID)).thenReturn(Optional.empty());
        when(inventory.hosts()).thenReturn(List.of(new HostStatus("local", "qemu:///system", true, null)));

        assertThat(service.resize(UUID, PATH, 2048).status()).isEqualTo(VmDiskStatus.GONE);
        assertThat(service.capacityNow(UUID, PATH)).isEmpty();
    }

    @Test
    void aVmFoundOnTheSecondLookAfterItsHostCameBackIsResized() {
        Vm vm = new Vm("vmhost", "vm1", UUID, VmState.RUNNING,
                List.of(new VmDisk("vdb", "virtio", "disk", PATH, "raw", false, false, null)));
        when(inventory.findVm(UUID)).thenReturn(Optional.empty(), Optional.of(vm));
        when(inventory.hosts()).thenReturn(List.of(new HostStatus("vmhost", "qemu+unix:///system", true, null)));
        when(hypervisor.blockInfo("vmhost", UUID, "vdb")).thenReturn(new BlockInfo(1024, 1024, 1024), new BlockInfo(2048, 2048, 2048));

        assertThat(service.resize(UUID, PATH, 2048).status()).isEqualTo(VmDiskStatus.RESIZED);
        verify(hypervisor).blockResize("vmhost", UUID, "vdb", 2048);
    }

    @Test
    void aBlockJobStartedAfterValidationFailsTheVmStepAtOnceWithoutAResize() {
        Vm vm = new Vm("local", "vm1", UUID, VmState.RUNNING,
                List.of(new VmDisk("vdb", "virtio", "disk", PATH, "raw", false, false, null)));
        when(inventory.findVm(UUID)).thenReturn(Optional.of(vm));
        when(hypervisor.blockInfo("local", UUID, "vdb")).thenReturn(new BlockInfo(1024, 1024, 1024));
        when(hypervisor.blockJob("local", UUID, "vdb")).thenReturn(Optional.of(new BlockJob(BlockJob.Kind.PULL, 5, 10)));

        assertThatThrownBy(() -> service.resize(UUID, PATH, 2048)).as("not transient: no retries through the job")
                .isExactlyInstanceOf(OperationFailedException.class)
                .hasMessageStartingWith("DISK_BUSY: a block pull job (50 % done) runs on vdb of VM vm1");
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), org.mockito.ArgumentMatchers.anyLong());
    }

    @Test
    void aVmThatAlreadyReportsTheSizeIsNotRefusedForABlockJob() {
        Vm vm = new Vm("local", "vm1", UUID, VmState.RUNNING,
                List.of(new VmDisk("vdb", "virtio", "disk", PATH, "raw", false, false, null)));
        when(inventory.findVm(UUID)).thenReturn(Optional.of(vm));
        when(hypervisor.blockInfo("local", UUID, "vdb")).thenReturn(new BlockInfo(2048, 2048, 2048));
        when(hypervisor.blockJob("local", UUID, "vdb")).thenReturn(Optional.of(new BlockJob(BlockJob.Kind.COPY, 5, 10)));

        assertThat(service.resize(UUID, PATH, 2048).status()).isEqualTo(VmDiskStatus.RESIZED);
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), org.mockito.ArgumentMatchers.anyLong());
    }
}
