package org.vdresize.libvirt;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.SimpleStatusAggregator;
import org.springframework.boot.actuate.health.Status;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.Vm;
import org.vdresize.testsupport.Cmd;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.PrivateLibvirtd;
import org.vdresize.testsupport.UnixSocketProxy;

/**
 * Several hosts, one of them unreachable, and a host whose connection breaks and comes back. The
 * second host is libvirtd reached through a Unix socket proxy that the test cuts and stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibvirtHostsIT {

    private static final String NOWHERE = "qemu+unix:///system?socket=/nonexistent/sock";

    private LibvirtFixture lv;
    private Path socketDir;
    private String vm;
    private Path disk;

    @BeforeAll
    void setUp() throws IOException {
        lv = LibvirtFixture.create();
        socketDir = Files.createTempDirectory(lv.name("px")); // a dead run's dir is removed as a leftover
        disk = lv.createQcow2("d.qcow2", 16 * MIB);
        vm = lv.startVm("vm", Disk.virtio(disk, "vdb"));
    }

    @AfterAll
    void tearDown() throws IOException {
        if (lv != null) {
            lv.close();
        }
        if (socketDir != null) {
            try (var files = Files.list(socketDir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(socketDir);
        }
    }

    @Test
    void anUnreachableHostIsReportedWhileTheOtherWorks() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("local", LibvirtFixture.URI, "down", NOWHERE));
        try {
            LibvirtInventory inventory = new LibvirtInventory(hosts);

            List<HostStatus> statuses = inventory.hosts();
            assertThat(statuses).hasSize(2);
            assertThat(statuses.get(0)).isEqualTo(new HostStatus("local", LibvirtFixture.URI, true, null));
            assertThat(statuses.get(1).name()).isEqualTo("down");
            assertThat(statuses.get(1).available()).isFalse();
            assertThat(statuses.get(1).error()).contains("/nonexistent/sock");

            assertThat(inventory.vms()).extracting(Vm::name).contains(vm);
            assertThat(inventory.findVm(vm)).map(Vm::host).contains("local");
            assertThat(inventory.volumeByPath(disk.toString())).isPresent();
            assertThat(inventory.findPool(lv.poolName())).isPresent();
            assertThatThrownBy(() -> new LibvirtStorage(hosts).volume("down", lv.poolName(), "d.qcow2"))
                    .isInstanceOf(HostUnavailableException.class)
                    .hasMessageContaining("down");
            assertThatThrownBy(() -> new LibvirtHypervisor(hosts).blockInfo("down", lv.uuid(vm), "vdb"))
                    .isInstanceOf(HostUnavailableException.class);

            Health health = new LibvirtHealthIndicator(hosts).health();
            assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> details = (List<Map<String, Object>>) health.getDetails().get("hosts");
            assertThat(details).extracting(d -> d.get("name"), d -> d.get("available"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("local", true),
                            org.assertj.core.groups.Tuple.tuple("down", false));
            assertThat(details.get(1)).containsEntry("uri", NOWHERE);
            assertThat((String) details.get(1).get("error")).contains("/nonexistent/sock");
            // an unavailable host never turns the application's health DOWN
            assertThat(new SimpleStatusAggregator().getAggregateStatus(Set.of(Status.UP, health.getStatus())))
                    .isEqualTo(Status.UP);
        } finally {
            hosts.close();
        }
    }

    @Test
    void healthIsUpWhenEveryHostAnswers() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("local", LibvirtFixture.URI));
        try {
            Health health = new LibvirtHealthIndicator(hosts).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKey("hosts");
        } finally {
            hosts.close();
        }
    }

    @Test
    void onlyUnreachableHostsMakeLookupsFailInsteadOfAnsweringNotFound() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("down", NOWHERE));
        try {
            LibvirtInventory inventory = new LibvirtInventory(hosts);
            assertThat(inventory.hosts()).singleElement().satisfies(h -> assertThat(h.available()).isFalse());
            assertThatThrownBy(() -> inventory.findVm(vm)).isInstanceOf(HostUnavailableException.class);
            assertThatThrownBy(inventory::vms).isInstanceOf(HostUnavailableException.class);
        } finally {
            hosts.close();
        }
    }

    @Test
    void aBrokenConnectionIsReplacedAndAStoppedHostComesBack() throws InterruptedException {
        try (UnixSocketProxy proxy = UnixSocketProxy.toLibvirt(socketDir.resolve("p1.sock"))) {
            LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("proxied", proxy.uri()));
            try {
                LibvirtInventory inventory = new LibvirtInventory(hosts);
                LibvirtHypervisor hypervisor = new LibvirtHypervisor(hosts);
                String uuid = lv.uuid(vm);
                assertThat(inventory.findVm(vm)).isPresent();
                assertThat(proxy.openConnections()).isEqualTo(1);

                // the daemon "dies" under an open connection: the next read works on a new connection
                proxy.cutConnections();
                assertThat(hypervisor.blockInfo("proxied", uuid, "vdb").capacity()).isEqualTo(16 * MIB);
                assertThat(inventory.findVm(vm)).isPresent();
                assertThat(proxy.openConnections()).isEqualTo(1);

                // stopped: unavailable, with the reason
                proxy.stop();
                waitFor(() -> !hosts.status("proxied").available(), Duration.ofSeconds(30));
                assertThat(hosts.status("proxied").error()).isNotBlank();
                assertThatThrownBy(() -> inventory.findVm(vm)).isInstanceOf(HostUnavailableException.class);

                // back: available again without restarting anything
                proxy.start();
                waitFor(() -> hosts.status("proxied").available(), Duration.ofSeconds(30));
                assertThat(inventory.findVm(vm)).map(Vm::host).contains("proxied");
            } finally {
                hosts.close();
            }
        }
    }

    @Test
    void aPoolSeenByTwoHostsIsAnsweredFromItsOwner() {
        // two hosts that see the same pool, as with shared storage; the second one owns it. Two daemons:
        // the same daemon under two names would be one host (DuplicateHostsIT)
        try (PrivateLibvirtd owner = PrivateLibvirtd.create()) {
            Cmd.run("virsh", "-q", "-c", owner.uri(), "pool-define-as", lv.poolName(), "dir", "--target", lv.poolDir().toString());
            Cmd.run("virsh", "-q", "-c", owner.uri(), "pool-start", lv.poolName());
            LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.bind(Map.of(
                    "vdresize.hosts[0].name", "any", "vdresize.hosts[0].uri", LibvirtFixture.URI,
                    "vdresize.hosts[1].name", "owner", "vdresize.hosts[1].uri", owner.uri(),
                    "vdresize.hosts[1].owns-pools[0]", lv.poolName())));
            try {
                LibvirtInventory inventory = new LibvirtInventory(hosts);
                assertThat(inventory.volumeByPath(disk.toString())).map(v -> v.host()).contains("owner");
                assertThat(inventory.findPool(lv.poolName())).map(p -> p.host()).contains("owner");
                assertThat(inventory.pools()).filteredOn(p -> p.name().equals(lv.poolName()))
                        .extracting(p -> p.host()).containsExactly("any", "owner");
            } finally {
                hosts.close();
            }
        }
    }

    @Test
    void aSilentHostCostsABoundedWaitOnceAndNothingAfterwards() throws IOException {
        Path socket = socketDir.resolve("silent.sock");
        // accepts connections (the kernel queues them) but never answers a byte: a host dropping packets
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(socket));
            Duration connectWait = Duration.ofSeconds(1);
            LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties(
                    "local", LibvirtFixture.URI, "silent", "qemu+unix:///system?socket=" + socket), connectWait);
            try {
                LibvirtInventory inventory = new LibvirtInventory(hosts);

                long started = System.nanoTime();
                List<HostStatus> statuses = inventory.hosts();
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(took).isBetween(connectWait, connectWait.plusSeconds(3));
                assertThat(statuses.get(0).available()).isTrue();
                assertThat(statuses.get(1).available()).isFalse();
                assertThat(statuses.get(1).error()).contains("no answer");

                started = System.nanoTime();
                assertThat(inventory.vms()).extracting(Vm::name).contains(vm);
                assertThat(inventory.hosts()).extracting(HostStatus::available).containsExactly(true, false);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(connectWait);
            } finally {
                hosts.close();
            }
        }
    }

    private static void waitFor(BooleanSupplier condition, Duration timeout) {
        await().pollInSameThread().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }
}
