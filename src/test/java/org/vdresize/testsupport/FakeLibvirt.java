package org.vdresize.testsupport;

import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.mockito.stubbing.Answer;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.guest.GuestAgentUnavailableException;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.StoragePool;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.inventory.VmState;
import org.vdresize.storage.StoragePort;
import org.vdresize.vm.BlockInfo;
import org.vdresize.vm.HypervisorPort;

/**
 * libvirt behind the application's mocked ports ({@code @MockitoBean}), for tests of the whole
 * application in seconds: one directory pool {@code p} at /pool on host {@code local}, the volumes
 * a test adds to it, the VMs using them as vdb, and the capacity each running VM's QEMU reports.
 * Growing a volume or a VM's disk changes what the ports answer next. No VM has a guest agent that
 * answers. A test may stub a port again afterwards to script what this does not.
 *
 * <pre>
 * libvirt = FakeLibvirt.stub(inventory, storage, hypervisor, guestAgent);   // in a @BeforeEach
 * String path = libvirt.volume("d", 64 * FakeLibvirt.MIB);
 * libvirt.add("vm1", VmState.RUNNING, true, libvirt.vdb(path, false, null));
 * ... libvirt.capacity(path), libvirt.qemuCapacity("vm1-uuid") ...
 * </pre>
 */
public final class FakeLibvirt {

    public static final long MIB = 1L << 20;
    public static final String HOST = "local";
    public static final String POOL = "p";
    private static final String POOL_PATH = "/pool/";

    /** by path */
    private final Map<String, StorageVolume> volumes = new ConcurrentHashMap<>();
    /** by the path of their vdb, in the order added (as libvirt lists domains) */
    private final Map<String, List<Vm>> vmsByDisk = new ConcurrentHashMap<>();
    /** by VM uuid: the capacity its QEMU reports for vdb */
    private final Map<String, Long> qemu = new ConcurrentHashMap<>();
    /** by VM uuid: what every block resize of it throws */
    private final Map<String, RuntimeException> blockResizeFailures = new ConcurrentHashMap<>();

    private FakeLibvirt() {
    }

    /** Stubs the ports to answer from a new, empty fake. */
    public static FakeLibvirt stub(InventoryPort inventory, StoragePort storage, HypervisorPort hypervisor,
                                   GuestAgentPort guestAgent) {
        FakeLibvirt libvirt = new FakeLibvirt();
        when(guestAgent.command(anyString(), anyString(), anyString(), anyInt()))
                .thenThrow(new GuestAgentUnavailableException("QEMU guest agent is not configured", null));
        when(inventory.vms()).thenAnswer(i -> libvirt.vms().toList());
        // the path lookups and grow answer from the basic calls, as the ports' defaults do
        when(inventory.vmsUsing(anyString())).thenCallRealMethod();
        when(inventory.volumesBackedBy(anyString())).thenCallRealMethod();
        when(hypervisor.grow(anyString(), anyString(), anyString(), anyLong())).thenCallRealMethod();
        when(inventory.findVm(anyString())).thenAnswer(i -> libvirt.vms()
                .filter(vm -> vm.name().equals(i.getArgument(0)) || vm.uuid().equals(i.getArgument(0))).findFirst());
        when(inventory.volumes()).thenAnswer(i -> List.copyOf(libvirt.volumes.values()));
        when(inventory.volumeByPath(anyString())).thenAnswer(i -> Optional.ofNullable(libvirt.volumes.get(i.<String>getArgument(0))));
        when(inventory.findPool(POOL)).thenReturn(Optional.of(new StoragePool(HOST, POOL, "dir", "/pool", 1L << 40, 0, 1L << 40)));
        when(storage.volume(eq(HOST), eq(POOL), anyString())).thenAnswer(i -> libvirt.existing(i.getArgument(2)));
        Answer<Void> poolSetsCapacity = i -> {
            libvirt.setCapacity(libvirt.existing(i.getArgument(2)).path(), i.getArgument(3));
            return null;
        };
        doAnswer(poolSetsCapacity).when(storage).grow(eq(HOST), eq(POOL), anyString(), anyLong(), anyBoolean());
        doAnswer(poolSetsCapacity).when(storage).shrinkBack(eq(HOST), eq(POOL), anyString(), anyLong());
        when(hypervisor.blockInfo(eq(HOST), anyString(), eq("vdb"))).thenAnswer(i -> {
            long capacity = libvirt.qemuCapacity(i.getArgument(1));
            return new BlockInfo(capacity, 0, capacity);
        });
        doAnswer(i -> {
            libvirt.blockResize(i.getArgument(1), i.getArgument(3));
            return null;
        }).when(hypervisor).blockResize(eq(HOST), anyString(), eq("vdb"), anyLong());
        return libvirt;
    }

    /** Adds (or replaces) the raw volume /pool/{name}.img; returns its path. */
    public String volume(String name, long capacity) {
        return volume(name, capacity, "raw");
    }

    /** Adds (or replaces) the volume /pool/{name}.img of this format; returns its path. */
    public String volume(String name, long capacity, String format) {
        String path = POOL_PATH + name + ".img";
        volumes.put(path, new StorageVolume(HOST, POOL, name + ".img", path, format, capacity, 0, null));
        return path;
    }

    /** The volume's vdb in a VM: virtio, the volume's format, writable; no serial when {@code serial} is null. */
    public VmDisk vdb(String path, boolean shareable, String serial) {
        return new VmDisk("vdb", "virtio", "disk", path, volumes.get(path).format(), false, shareable, serial);
    }

    /**
     * Adds the VM {@code name} (uuid {@code name-uuid}) with this vdb, in place of one of that name; a
     * running one's QEMU reports the volume's capacity.
     */
    public Vm add(String name, VmState state, boolean guestAgentChannel, VmDisk vdb) {
        Vm vm = new Vm(HOST, name, name + "-uuid", state, List.of(vdb), guestAgentChannel);
        vmsByDisk.values().forEach(vms -> vms.removeIf(other -> other.uuid().equals(vm.uuid())));
        vmsByDisk.computeIfAbsent(vdb.sourcePath(), p -> new CopyOnWriteArrayList<>()).add(vm);
        qemu.remove(vm.uuid());
        if (state == VmState.RUNNING) {
            qemu.put(vm.uuid(), volumes.get(vdb.sourcePath()).capacity());
        }
        return vm;
    }

    /** From now on every block resize of the VM throws this. */
    public void failBlockResize(String vmName, RuntimeException failure) {
        blockResizeFailures.put(vmName + "-uuid", failure);
    }

    /** What QEMU does on block_resize of the running VM's vdb (or the failure set for it). */
    public void blockResize(String vmUuid, long capacity) {
        RuntimeException failure = blockResizeFailures.get(vmUuid);
        if (failure != null) {
            throw failure;
        }
        qemuCapacity(vmUuid);
        qemu.put(vmUuid, capacity);
    }

    /** What the pool does when it grows the volume (or shrinks it back). */
    public void setCapacity(String path, long capacity) {
        StorageVolume v = volumes.get(path);
        volumes.put(path, new StorageVolume(v.host(), v.pool(), v.name(), path, v.format(), capacity, v.allocation(),
                v.backingPath()));
    }

    /** The volume's capacity now, as the pool reports it. */
    public long capacity(String path) {
        return volumes.get(path).capacity();
    }

    /** What the running VM's QEMU reports for vdb now. */
    public long qemuCapacity(String vmUuid) {
        Long capacity = qemu.get(vmUuid);
        if (capacity == null) {
            throw new IllegalStateException("no QEMU runs VM " + vmUuid);
        }
        return capacity;
    }

    private Stream<Vm> vms() {
        return vmsByDisk.values().stream().flatMap(List::stream);
    }

    private StorageVolume existing(String name) {
        StorageVolume volume = volumes.get(POOL_PATH + name);
        if (volume == null) {
            throw new IllegalArgumentException("no volume " + name + " in pool " + POOL);
        }
        return volume;
    }
}
