package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a stand-in for ssh that prints what {@code ssh -G} would, so the machine's ssh_config plays no part. */
class SshClientCheckTest {

    @TempDir
    Path dir;

    @Test
    void refusesAnSshConfigurationThatAcceptsUnverifiedHostKeys() throws IOException {
        assertThat(SshClientCheck.refusal(LibvirtUri.parse(uri(fakeSsh("false")))))
                .hasValueSatisfying(r -> assertThat(r).contains("StrictHostKeyChecking no").contains("h2").doesNotContain("root"));
        assertThat(SshClientCheck.refusal(LibvirtUri.parse(uri(fakeSsh("accept-new")))))
                .hasValueSatisfying(r -> assertThat(r).contains("StrictHostKeyChecking accept-new"));
    }

    @Test
    void acceptsStrictOrAskingHostKeyChecking() throws IOException {
        assertThat(SshClientCheck.refusal(LibvirtUri.parse(uri(fakeSsh("true"))))).isEmpty();
        assertThat(SshClientCheck.refusal(LibvirtUri.parse(uri(fakeSsh("ask"))))).isEmpty();
    }

    @Test
    void asksSshForTheSettingsOfThatHostPortAndUser() throws IOException {
        Path args = dir.resolve("args");
        Path ssh = fakeSsh("true", "echo \"$@\" > " + args);
        SshClientCheck.refusal(LibvirtUri.parse("qemu+ssh://root@h2:2222/system?command=" + ssh));
        assertThat(Files.readString(args).strip()).isEqualTo("-G -p 2222 -l root -- h2");
    }

    @Test
    void otherTransportsAreNotAsked() {
        assertThat(SshClientCheck.refusal(LibvirtUri.parse("qemu+tls://h2/system?command=/nonexistent"))).isEmpty();
    }

    private static String uri(Path ssh) {
        return "qemu+ssh://root@h2/system?command=" + ssh;
    }

    private Path fakeSsh(String strict) throws IOException {
        return fakeSsh(strict, "");
    }

    private Path fakeSsh(String strict, String extra) throws IOException {
        Path script = Files.createTempFile(dir, "ssh", ".sh");
        Files.writeString(script, "#!/bin/sh\n" + extra + "\necho 'user root'\necho 'stricthostkeychecking " + strict + "'\necho 'batchmode no'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}
