package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LibvirtErrorsTest {

    @Test
    void sshsChangedHostKeyWarningBecomesOneReadableLine() {
        String fromLibvirt = "Cannot recv data: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
                + "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n"
                + "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
                + "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r\n"
                + "The fingerprint for the ED25519 key sent by the remote host is\nSHA256:4YimO5oh.\r\n"
                + "Host key for [127.0.0.3]:44039 has changed and you have requested strict checking.\r\n"
                + "Host key verification failed.: Connection reset by peer";

        assertThat(LibvirtErrors.oneLine(fromLibvirt)).isEqualTo("Cannot recv data: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! "
                + "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY! The fingerprint for the ED25519 key sent by the remote host is "
                + "SHA256:4YimO5oh. Host key for [127.0.0.3]:44039 has changed and you have requested strict checking. "
                + "Host key verification failed.: Connection reset by peer");
        assertThat(LibvirtErrors.oneLine("Failed to connect socket to '/x': No such file or directory"))
                .isEqualTo("Failed to connect socket to '/x': No such file or directory");
    }

    @Test
    void knowsAFailureOfTheHostsIdentityFromAHostThatIsDown() {
        assertThat(LibvirtErrors.isVerificationFailure("Cannot recv data: Host key verification failed.: Connection reset by peer")).isTrue();
        assertThat(LibvirtErrors.isVerificationFailure("authentication failed: Failed to verify peer's certificate")).isTrue();
        assertThat(LibvirtErrors.isVerificationFailure("authentication failed: !!! SSH HOST KEY VERIFICATION FAILED !!!: Identity of host")).isTrue();
        assertThat(LibvirtErrors.isVerificationFailure("Cannot recv data: root@127.0.0.3: Permission denied (publickey).: Connection reset by peer")).isTrue();
        assertThat(LibvirtErrors.isVerificationFailure("unable to connect to server at '127.0.0.2:16514': Connection refused")).isFalse();
        assertThat(LibvirtErrors.isVerificationFailure("Failed to connect socket to '/run/libvirt/libvirt-sock': No such file or directory")).isFalse();
        assertThat(LibvirtErrors.isVerificationFailure("Cannot recv data: Connection reset by peer")).isFalse();
    }
}
