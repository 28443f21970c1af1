package org.vdresize.libvirt;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;
import org.vdresize.inventory.VmState;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.UnixSocketProxy;

/**
 * The VM list served from the event-driven cache: it must follow every change libvirt makes (oracle:
 * a live read of the same domain) while reading only the domains that changed.
 */
class LibvirtDomainCacheIT extends LocalLibvirtIT {

    private LibvirtInventory inventory;
    private Path diskA;
    private Path diskB;
    private Path hotplug;
    private String vmA;

    @BeforeAll
    void setUp() {
        inventory = new LibvirtInventory(hosts);
        diskA = lv.createQcow2("a.qcow2", 16 * MIB);
        diskB = lv.createQcow2("b.qcow2", 16 * MIB);
        hotplug = lv.createRawSparse("hot.raw", 8 * MIB);
        vmA = lv.startVm("a", Disk.virtio(diskA, "vdb"));
    }

    @Test
    void followsLifecycleAndHotplugWhileReadingOnlyWhatChanged() throws InterruptedException {
        assertThat(inventory.vms()).extracting(Vm::name).contains(vmA);
        long reads = inventory.domainReads();
        inventory.vms();
        inventory.vms();
        assertThat(inventory.domainReads() - reads).as("domains re-read without any change").isLessThanOrEqualTo(
                otherDomainsThatMayChange());

        String vmB = lv.defineVm("b", List.of(Disk.virtio(diskB, "vda")));
        awaitVm(vmB, vm -> vm.state() == VmState.SHUT_OFF);

        lv.start(vmB);
        awaitVm(vmB, vm -> vm.state() == VmState.RUNNING);
        lv.suspend(vmB);
        awaitVm(vmB, vm -> vm.state() == VmState.PAUSED);
        lv.resume(vmB);
        awaitVm(vmB, vm -> vm.state() == VmState.RUNNING);

        LibvirtFixture.virsh("attach-disk", vmA, hotplug.toString(), "vdc", "--live", "--targetbus", "virtio");
        awaitVm(vmA, vm -> vm.diskByTarget("vdc").map(VmDisk::sourcePath).equals(Optional.of(hotplug.toString())));

        lv.destroy(vmB);
        awaitVm(vmB, vm -> vm.state() == VmState.SHUT_OFF);
        LibvirtFixture.virsh("undefine", vmB);
        awaitGone(vmB);

        // the cached entries are what a live read says
        for (String name : List.of(vmA)) {
            assertThat(cached(name)).contains(inventory.findVm(name).orElseThrow());
        }
    }

    @Test
    void aNewConnectionStartsFromAFullRead() throws Exception {
        try (UnixSocketProxy proxy = UnixSocketProxy.toLibvirt(lv.poolDir().resolveSibling(lv.name("c.sock")))) {
            LibvirtHosts proxied = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("p", proxy.uri()));
            try {
                LibvirtInventory viaProxy = new LibvirtInventory(proxied);
                assertThat(viaProxy.vms()).extracting(Vm::name).contains(vmA);

                proxy.cutConnections(); // events of the old connection are lost with it
                String vmC = lv.defineVm("c", List.of(Disk.virtio(diskB, "vda")));
                awaitCondition(() -> viaProxy.vms().stream().anyMatch(v -> v.name().equals(vmC)));
                LibvirtFixture.virsh("undefine", vmC);
                awaitCondition(() -> viaProxy.vms().stream().noneMatch(v -> v.name().equals(vmC)));
            } finally {
                proxied.close();
            }
        }
    }

    /** Domains of other users of this libvirtd may change meanwhile; each costs at most one read. */
    private long otherDomainsThatMayChange() {
        return inventory.vms().stream().filter(v -> !v.name().startsWith(LibvirtFixture.PREFIX)).count();
    }

    private Optional<Vm> cached(String name) {
        return inventory.vms().stream().filter(v -> v.name().equals(name)).findFirst();
    }

    private void awaitVm(String name, Predicate<Vm> condition) throws InterruptedException {
        awaitCondition(() -> cached(name).filter(condition).isPresent());
    }

    private void awaitGone(String name) throws InterruptedException {
        awaitCondition(() -> cached(name).isEmpty());
    }

    /** Events arrive asynchronously, a few milliseconds after virsh returns. */
    private static void awaitCondition(java.util.function.BooleanSupplier condition) {
        await("the cached VM list follows").pollInSameThread().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }
}
