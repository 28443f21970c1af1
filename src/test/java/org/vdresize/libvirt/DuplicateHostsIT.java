package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.inventory.Vm;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * The same libvirtd (qemu:///system) configured as {@code local} and, again, as {@code again}
 * (qemu+unix:///system) and {@code third} (qemu:///system?socket=...): the later ones are refused as
 * duplicates of {@code local}, whatever order they are first asked in, and everything they hold is
 * seen once, through {@code local}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DuplicateHostsIT {

    private static final String AGAIN = "qemu+unix:///system";
    private static final String THIRD = "qemu+unix:///system?socket=/run/libvirt/libvirt-sock";
    private static final String NOWHERE = "qemu+unix:///system?socket=/nonexistent/sock";

    private LibvirtFixture lv;
    private String vm;
    private Path disk;
    private String hostUuid;

    @BeforeAll
    void setUp() {
        lv = LibvirtFixture.create();
        disk = lv.createQcow2("d.qcow2", 16 * MIB);
        vm = lv.startVm("vm", Disk.virtio(disk, "vdb"));
        String caps = LibvirtFixture.virsh("capabilities");
        int start = caps.indexOf("<uuid>", caps.indexOf("<host>")) + "<uuid>".length();
        hostUuid = caps.substring(start, caps.indexOf("</uuid>", start)).strip();
    }

    @AfterAll
    void tearDown() {
        if (lv != null) {
            lv.close();
        }
    }

    @Test
    void theLaterNamesAreRefusedAndNameTheFirst() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties(
                "local", LibvirtFixture.URI, "down", NOWHERE, "again", AGAIN, "third", THIRD));
        try {
            // all checked at once, on a fresh start: the later ones may connect before local does
            List<HostStatus> statuses = hosts.statuses();

            assertThat(statuses).extracting(HostStatus::name, HostStatus::available, HostStatus::duplicateOf)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("local", true, null),
                            org.assertj.core.groups.Tuple.tuple("down", false, null),
                            org.assertj.core.groups.Tuple.tuple("again", false, "local"),
                            org.assertj.core.groups.Tuple.tuple("third", false, "local"));
            assertThat(statuses.get(2).error()).startsWith("same libvirtd as host local (host UUID " + hostUuid + ")")
                    .contains("configure each hypervisor once");
            assertThat(hosts.status("again")).isEqualTo(statuses.get(2));

            Health health = new LibvirtHealthIndicator(hosts).health();
            assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> details = (List<Map<String, Object>>) health.getDetails().get("hosts");
            assertThat(details.get(2)).containsEntry("available", false).containsEntry("duplicateOf", "local");
            assertThat(details.get(0)).doesNotContainKey("duplicateOf");
        } finally {
            hosts.close();
        }
    }

    @Test
    void aDuplicateAskedBeforeTheFirstIsRefusedOnceTheFirstHasAnswered() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("local", LibvirtFixture.URI, "again", AGAIN));
        try {
            // nothing tells yet that "again" is local: it answers as itself
            assertThat(hosts.status("again").available()).isTrue();
            assertThat(hosts.status("local").available()).isTrue();
            assertThat(hosts.status("again").duplicateOf()).isEqualTo("local");
        } finally {
            hosts.close();
        }
    }

    @Test
    void everythingItHoldsIsSeenOnceThroughTheFirst() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("local", LibvirtFixture.URI, "again", AGAIN));
        try {
            LibvirtInventory inventory = new LibvirtInventory(hosts);

            assertThat(inventory.vms()).filteredOn(v -> v.name().equals(vm)).extracting(Vm::host).containsExactly("local");
            assertThat(inventory.findVm(vm)).map(Vm::host).contains("local");
            assertThat(inventory.findVm(lv.uuid(vm))).map(Vm::host).contains("local");
            assertThat(inventory.vmsUsing(disk.toString())).extracting(Vm::host).containsExactly("local");
            assertThat(inventory.volumes()).filteredOn(v -> disk.toString().equals(v.path()))
                    .extracting(StorageVolume::host).containsExactly("local");
            assertThat(inventory.volumeByPath(disk.toString())).map(StorageVolume::host).contains("local");
            assertThat(inventory.pools()).filteredOn(p -> p.name().equals(lv.poolName())).extracting(p -> p.host())
                    .containsExactly("local");
            assertThat(inventory.findPool(lv.poolName())).map(p -> p.host()).contains("local");
            // "not found" stays an answer: the duplicate is no host that might hold it
            assertThat(inventory.findVm(lv.name("nosuchvm"))).isEmpty();
            assertThat(inventory.findPool(lv.name("nosuchpool"))).isEmpty();
            // the duplicate is no unreachable host: nothing of it is shown as unavailable
            assertThat(inventory.unreachableHosts()).isEmpty();
        } finally {
            hosts.close();
        }
    }

    @Test
    void aCallNamingTheDuplicateIsRefusedAndChangesNothing() {
        LibvirtHosts hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("local", LibvirtFixture.URI, "again", AGAIN));
        try {
            hosts.statuses();
            String uuid = lv.uuid(vm);

            assertThatThrownBy(() -> new LibvirtStorage(hosts).grow("again", lv.poolName(), "d.qcow2", 32 * MIB, false))
                    .isInstanceOf(HostUnavailableException.class)
                    .hasMessageContaining("host again unavailable: same libvirtd as host local");
            assertThatThrownBy(() -> new LibvirtHypervisor(hosts).blockInfo("again", uuid, "vdb"))
                    .isInstanceOf(HostUnavailableException.class)
                    .hasMessageContaining("same libvirtd as host local");

            assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(16 * MIB);
            assertThat(lv.qemuImgVirtualSize(disk)).isEqualTo(16 * MIB);
            assertThat(new LibvirtHypervisor(hosts).blockInfo("local", uuid, "vdb").capacity()).isEqualTo(16 * MIB);
        } finally {
            hosts.close();
        }
    }
}
