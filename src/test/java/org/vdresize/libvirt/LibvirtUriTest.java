package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vdresize.libvirt.LibvirtUri.Transport;

class LibvirtUriTest {

    @ParameterizedTest
    @CsvSource({
        "qemu:///system, UNIX",
        "qemu+unix:///system?socket=/run/x/libvirt-sock, UNIX",
        "qemu://h2/system, TLS",
        "qemu+tls://127.0.0.2:16514/system?pkipath=/etc/vdr/h2, TLS",
        "QEMU+SSH://root@h2/system, SSH",
        "qemu+libssh://root@h2/system, LIBSSH",
        "qemu+libssh2://root@h2/system, LIBSSH2",
        "qemu+tcp://h2/system, TCP",
        "qemu+ext:///system?command=/bin/x, EXT",
        "test:///default, UNIX",
        "not a uri, OTHER"
    })
    void readsTheTransportAsLibvirtDoes(String uri, Transport transport) {
        assertThat(LibvirtUri.parse(uri).transport()).isEqualTo(transport);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "qemu+ssh://root@h2:2222/system?keyfile=/k | qemu+ssh://h2:2222/system?keyfile=***",
        "qemu+ssh://root:secret@h2/system | qemu+ssh://h2/system",
        "qemu+tls://h2/system?pkipath=/a@b | qemu+tls://h2/system?pkipath=/a@b",
        "qemu:///system | qemu:///system",
        "qemu+unix:///system?socket=/x/y@z | qemu+unix:///system?socket=/x/y@z"
    })
    void showsAUriWithoutItsUserPart(String uri, String shown) {
        assertThat(LibvirtUri.withoutUser(uri)).isEqualTo(shown);
        assertThat(LibvirtUri.parse(uri)).hasToString(shown);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "qemu+tls://h2/system?no_verify=1 | TLS certificate",
        "qemu://h2/system?no_verify=1 | TLS certificate",
        "qemu+ssh://root@h2/system?no_verify=1 | unknown host key",
        "qemu+ssh://root@h2/system?known_hosts=/etc/kh | ignores known_hosts",
        "qemu+ssh://root@h2/system?no_tty=0 | no_tty=0",
        "qemu+libssh://root@h2/system?known_hosts_verify=auto | known_hosts_verify=auto",
        "qemu+libssh2://root@h2/system?known_hosts_verify=ignore | known_hosts_verify=ignore"
    })
    void refusesParametersThatTurnOffTheHostsIdentityCheck(String uri, String reason) {
        assertThat(LibvirtUri.parse(uri).refusal()).hasValueSatisfying(r -> assertThat(r).contains(reason));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "qemu+tls://h2/system?no_verify=0",
        "qemu+tls://h2/system?pkipath=/etc/vdr/h2",
        "qemu+ssh://root@h2/system?keyfile=/k&no_tty=1",
        "qemu+libssh://root@h2/system?known_hosts=/etc/kh&known_hosts_verify=normal",
        "qemu:///system?no_verify=1"
    })
    void acceptsUrisThatCheckTheHostsIdentity(String uri) {
        assertThat(LibvirtUri.parse(uri).refusal()).isEmpty();
    }

    @Test
    void sshNeverWaitsForATerminal() {
        assertThat(LibvirtUri.parse("qemu+ssh://root@h2/system").forConnect()).isEqualTo("qemu+ssh://root@h2/system?no_tty=1");
        assertThat(LibvirtUri.parse("qemu+ssh://root@h2/system?keyfile=/k").forConnect())
                .isEqualTo("qemu+ssh://root@h2/system?keyfile=/k&no_tty=1");
        assertThat(LibvirtUri.parse("qemu+ssh://root@h2/system?no_tty=1").forConnect()).isEqualTo("qemu+ssh://root@h2/system?no_tty=1");
        assertThat(LibvirtUri.parse("qemu+tls://h2/system").forConnect()).isEqualTo("qemu+tls://h2/system");
    }

    @Test
    void readsParametersUnescapedAsLibvirtDoes() {
        LibvirtUri uri = LibvirtUri.parse("qemu+ssh://root@h2:2222/system?keyfile=/etc/a%20b/c+d&No_Verify=0");
        assertThat(uri.param("keyfile")).contains("/etc/a b/c+d");
        assertThat(uri.param("no_verify")).contains("0");
        assertThat(uri.host()).contains("h2");
        assertThat(uri.port()).isEqualTo(2222);
        assertThat(uri.user()).contains("root");
    }
}
