package org.vdresize.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostUriTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "qemu+ssh://root@hv7/system | qemu+ssh://hv7/system",
        "qemu+ssh://root:pw@hv7:2222/system?keyfile=/root/.ssh/id&no_tty=1 | qemu+ssh://hv7:2222/system?keyfile=***&no_tty=1",
        "qemu+tls://h2/system?pkipath=/a@b | qemu+tls://h2/system?pkipath=/a@b",
        "qemu:///system | qemu:///system",
        "test:///default | test:///default",
        "qemu+unix:///system?socket=/x/y@z | qemu+unix:///system?socket=/x/y@z",
        "qemu+ext:///system?command=/usr/bin/sshpass -p x ssh | qemu+ext:///system?command=***",
        "qemu+ssh://hv7/system?netcat=nc -q0&no_verify=0 | qemu+ssh://hv7/system?netcat=***&no_verify=0",
        "esx://u@h/?no_verify=1;password=x | esx://h/?no_verify=1;password=***",
        "qemu+ssh://hv7/system?KeyFile=%2Froot%2Fk | qemu+ssh://hv7/system?KeyFile=***",
        "qemu+ssh://u@hv7/system#u@x | qemu+ssh://hv7/system",
        "qemu+libssh2://u@h/system?known_hosts=/kh&sshauth=privkey&known_hosts_verify=normal"
                + " | qemu+libssh2://h/system?known_hosts=/kh&sshauth=privkey&known_hosts_verify=normal",
        "qemu+ssh://hv7/system?flag | qemu+ssh://hv7/system?flag",
        "not a uri | not a uri"
    })
    void showsTheUriWithoutItsUserPartAndSecretValues(String uri, String shown) {
        assertThat(HostUri.redact(uri)).isEqualTo(shown);
        assertThat(new HostUri(uri)).hasToString(shown);
    }

    @Test
    void nullStaysNull() {
        assertThat(HostUri.redact(null)).isNull();
        assertThat(new HostUri("qemu+ssh://root@h/system").scrub(null)).isNull();
    }

    @Test
    void scrubsTheSecretsOutOfAMessageAboutTheHost() {
        HostUri uri = new HostUri("qemu+ssh://root:hunter2@hv7/system?keyfile=/etc/vdr/id_ed25519");

        assertThat(uri.scrub("Cannot recv data: root@hv7: Permission denied (publickey).: Connection reset by peer"))
                .isEqualTo("Cannot recv data: hv7: Permission denied (publickey).: Connection reset by peer");
        assertThat(uri.scrub("Load key \"/etc/vdr/id_ed25519\": invalid format"))
                .isEqualTo("Load key \"***\": invalid format");
        assertThat(uri.scrub("bad password hunter2 for qemu+ssh://root:hunter2@hv7/system?keyfile=/etc/vdr/id_ed25519"))
                .isEqualTo("bad password *** for qemu+ssh://hv7/system?keyfile=***");
        assertThat(new HostUri("qemu:///system").scrub("Failed to connect socket")).isEqualTo("Failed to connect socket");
    }
}
