package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LibvirtHostsTest {

    @ParameterizedTest
    @CsvSource({
        "qemu:///system, true",
        "qemu:///session, true",
        "qemu+unix:///system?socket=/run/h2/libvirt-sock, true",
        "QEMU:///system, true",
        "qemu+ssh://root@h2/system, false",
        "qemu+tcp://h2/system, false",
        "qemu://h2/system, false",
        "test:///default, false",
        "qemu:///embed?root=/x, false",
        "not a uri, false"
    })
    void knowsWhichHostsShareThisMachinesFiles(String uri, boolean local) {
        assertThat(LibvirtHosts.isLocalUri(uri)).isEqualTo(local);
    }
}
