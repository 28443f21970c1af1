package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.VmDisk;

class LibvirtXmlTest {

    @Test
    void readsDisksIgnoringTheirBackingChain() {
        String xml = """
                <domain type='kvm' id='3'>
                  <name>vm1</name>
                  <uuid>2b6b1b3c-9d4e-4c8f-a1b2-0123456789ab</uuid>
                  <devices>
                    <emulator>/usr/bin/qemu-system-x86_64</emulator>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='/images/top.qcow2' index='2'/>
                      <backingStore type='file' index='1'>
                        <format type='raw'/>
                        <source file='/images/base.raw'/>
                        <backingStore/>
                      </backingStore>
                      <target dev='vda' bus='virtio'/>
                      <serial>S1</serial>
                    </disk>
                    <disk type='block' device='lun'>
                      <driver name='qemu' type='raw'/>
                      <source dev='/dev/sdz'/>
                      <target dev='sdb' bus='scsi'/>
                      <shareable/>
                    </disk>
                    <disk type='network' device='disk'>
                      <driver name='qemu' type='raw'/>
                      <source protocol='rbd' name='pool/image'/>
                      <target dev='vdc' bus='virtio'/>
                    </disk>
                    <disk type='file' device='floppy'>
                      <target dev='fda' bus='fdc'/>
                      <readonly/>
                    </disk>
                    <disk type='volume' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source pool='p' volume='v.qcow2'/>
                      <target dev='vdd' bus='virtio'/>
                    </disk>
                  </devices>
                </domain>""";

        LibvirtXml.DomainDescription d = LibvirtXml.domain(xml);

        assertThat(d.name()).isEqualTo("vm1");
        assertThat(d.uuid()).isEqualTo("2b6b1b3c-9d4e-4c8f-a1b2-0123456789ab");
        assertThat(d.disks()).containsExactly(
                new VmDisk("vda", "virtio", "disk", "/images/top.qcow2", "qcow2", false, false, "S1"),
                new VmDisk("sdb", "scsi", "lun", "/dev/sdz", "raw", false, true, null),
                new VmDisk("vdc", "virtio", "disk", null, "raw", false, false, null),
                new VmDisk("fda", "fdc", "floppy", null, null, true, false, null),
                new VmDisk("vdd", "virtio", "disk", null, "qcow2", false, false, null));
    }

    @Test
    void aGuestAgentChannelIsTheVirtioChannelNamedOrgQemuGuestAgent0() {
        String withAgent = """
                <domain type='kvm'><name>vm1</name><uuid>u1</uuid><devices>
                  <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0' state='disconnected'/></channel>
                </devices></domain>""";
        String otherChannelOnly = """
                <domain type='kvm'><name>vm2</name><uuid>u2</uuid><devices>
                  <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>
                </devices></domain>""";
        String noDevices = "<domain type='kvm'><name>vm3</name><uuid>u3</uuid></domain>";

        assertThat(LibvirtXml.domain(withAgent).guestAgentChannel()).isTrue();
        assertThat(LibvirtXml.domain(otherChannelOnly).guestAgentChannel()).isFalse();
        assertThat(LibvirtXml.domain(noDevices).guestAgentChannel()).isFalse();
    }

    @Test
    void readsPoolAndVolume() {
        LibvirtXml.PoolDescription pool = LibvirtXml.pool("""
                <pool type='dir'><name>p</name><uuid>x</uuid>
                  <capacity unit='bytes'>1000</capacity><allocation unit='bytes'>400</allocation>
                  <available unit='bytes'>600</available><source/>
                  <target><path>/var/lib/libvirt/images</path></target></pool>""");
        assertThat(pool).isEqualTo(new LibvirtXml.PoolDescription("p", "dir", "/var/lib/libvirt/images", 1000, 400, 600));

        LibvirtXml.VolumeDescription volume = LibvirtXml.volume("""
                <volume type='file'><name>top.qcow2</name><key>/i/top.qcow2</key>
                  <capacity unit='KiB'>4</capacity><allocation unit='bytes'>196616</allocation>
                  <target><path>/i/top.qcow2</path><format type='qcow2'/></target>
                  <backingStore><path>/i/base.qcow2</path><format type='qcow2'/></backingStore></volume>""");
        assertThat(volume).isEqualTo(new LibvirtXml.VolumeDescription("top.qcow2", "file", "/i/top.qcow2", "qcow2",
                4096, 196616, "/i/base.qcow2"));
    }

    @Test
    void aPoolWhoseAvailableUnderflowedHasNothingFree() {
        // seen with a dir pool whose directory was deleted: capacity 0, available 2^64 - allocation
        LibvirtXml.PoolDescription pool = LibvirtXml.pool("""
                <pool type='dir'><name>gone</name>
                  <capacity unit='bytes'>0</capacity><allocation unit='bytes'>16777216</allocation>
                  <available unit='bytes'>18446744073692774400</available>
                  <target><path>/tmp/gone</path></target></pool>""");
        assertThat(pool.capacity()).isZero();
        assertThat(pool.available()).isZero();
    }

    @Test
    void refusesWhatIsNotLibvirtXml() {
        assertThatThrownBy(() -> LibvirtXml.domain("<pool/>")).isInstanceOf(OperationFailedException.class);
        assertThatThrownBy(() -> LibvirtXml.volume("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><volume>&e;</volume>"))
                .isInstanceOf(OperationFailedException.class);
        assertThatThrownBy(() -> LibvirtXml.pool("<pool><capacity unit='parsecs'>1</capacity></pool>"))
                .isInstanceOf(OperationFailedException.class);
    }
}
