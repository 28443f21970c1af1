package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vdresize.common.OperationFailedException;
import org.vdresize.config.VdresizeProperties;

/** How vdresize tells that two configured hosts are the same libvirtd (docs/hosts.md). */
class HostIdentitiesTest {

    static final String UUID_1 = "545bc96d-f9f2-40b2-8ee2-458a0815009f";
    static final String UUID_2 = "0d7f2a1c-3b4e-4c5d-9e6f-7a8b9c0d1e2f";
    static final List<String> ORDER = List.of("a", "b", "c", "d");

    @Test
    void aLaterHostWithTheSameHostUuidIsTheDuplicateOfTheFirst() {
        Map<String, String> ids = Map.of("a", UUID_1, "b", UUID_2, "c", UUID_1, "d", UUID_1);

        assertThat(HostIdentities.duplicateOf(ORDER, ids, "a")).isEmpty();
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "b")).isEmpty();
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "c")).contains("a");
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "d")).as("the first one, not the nearest").contains("a");
    }

    @Test
    void configurationOrderDecidesNotWhichConnectedFirst() {
        // only c has connected so far: it is nobody's duplicate until a has told its host UUID
        Map<String, String> ids = new HashMap<>(Map.of("c", UUID_1));
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "c")).isEmpty();

        ids.put("a", UUID_1);
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "c")).contains("a");
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "a")).isEmpty();
    }

    @Test
    void aHostWithoutHostUuidIsNobodysDuplicateAndHasNone() {
        Map<String, String> ids = new HashMap<>();
        ids.put("b", UUID_1);
        ids.put("c", UUID_1);

        assertThat(HostIdentities.duplicateOf(ORDER, ids, "a")).isEmpty();
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "d")).isEmpty();
        assertThat(HostIdentities.duplicateOf(ORDER, ids, "c")).contains("b");
    }

    @Test
    void theHostUuidIsReadFromTheCapabilities() {
        String caps = "<capabilities>\n  <host>\n    <uuid>545BC96D-F9F2-40B2-8EE2-458A0815009F</uuid>\n"
                + "    <cpu><arch>x86_64</arch></cpu>\n  </host>\n"
                + "  <guest><os_type>hvm</os_type><arch name='x86_64'><domain type='qemu'>"
                + "<uuid>0d7f2a1c-3b4e-4c5d-9e6f-7a8b9c0d1e2f</uuid></domain></arch></guest>\n</capabilities>";

        assertThat(LibvirtXml.hostUuid(caps)).contains(UUID_1);
    }

    @Test
    void noHostUuidIsNoIdentity() {
        // libvirt's test driver (test:///default): a <host> without <uuid>
        assertThat(LibvirtXml.hostUuid("<capabilities><host><cpu><arch>i686</arch></cpu></host></capabilities>")).isEmpty();
        assertThat(LibvirtXml.hostUuid("<capabilities><guest/></capabilities>")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "not-a-uuid", "545bc96df9f240b28ee2458a0815009f", ""})
    void aHostUuidThatCannotTellHostsApartIsNoIdentity(String uuid) {
        assertThat(LibvirtXml.hostUuid("<capabilities><host><uuid>" + uuid + "</uuid></host></capabilities>")).isEmpty();
    }

    @Test
    void capabilitiesThatAreNoCapabilitiesAreAnError() {
        assertThatThrownBy(() -> LibvirtXml.hostUuid("<domain/>")).isInstanceOf(OperationFailedException.class);
        assertThatThrownBy(() -> LibvirtXml.hostUuid("<capabilities>")).isInstanceOf(OperationFailedException.class);
    }

    @Test
    void theSameUriUnderTwoNamesStopsTheStart() {
        List<VdresizeProperties.Host> hosts = List.of(host("local", "qemu:///system"), host("kvm2", "qemu+ssh://root@kvm2/system?keyfile=/secret/id_key"),
                host("again", "qemu+ssh://root@kvm2/system?keyfile=/secret/id_key"));

        assertThatThrownBy(() -> LibvirtHosts.checkConfiguration(hosts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("libvirt hosts kvm2 and again have the same URI")
                .hasMessageContaining("configure each hypervisor once")
                .hasMessageNotContaining("root@")
                .hasMessageNotContaining("/secret/id_key");
    }

    @Test
    void aNameTwiceOrAHostWithoutNameOrUriStopsTheStart() {
        assertThatThrownBy(() -> LibvirtHosts.checkConfiguration(List.of(host("a", "qemu:///system"), host("a", "qemu+unix:///system"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("libvirt host configured twice: a");
        assertThatThrownBy(() -> LibvirtHosts.checkConfiguration(List.of(host("a", null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a name and a uri");
        assertThatThrownBy(() -> LibvirtHosts.checkConfiguration(List.of(host(" ", "qemu:///system"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a name and a uri");
    }

    @Test
    void differentUrisPassTheStartEvenWhenTheyReachTheSameDaemon() {
        assertThatCode(() -> LibvirtHosts.checkConfiguration(List.of(host("local", "qemu:///system"),
                host("again", "qemu+unix:///system")))).doesNotThrowAnyException();
    }

    static VdresizeProperties.Host host(String name, String uri) {
        return new VdresizeProperties.Host(name, uri, null);
    }
}
