package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.vdresize.config.VdresizeProperties;
import org.vdresize.testsupport.TestExecutors;
import org.vdresize.inventory.HostStatus;
import org.vdresize.libvirt.LibvirtHosts;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.PrivateLibvirtd;
import org.vdresize.testsupport.TestSshd;

/**
 * A hypervisor reached over SSH only: a second libvirtd (PrivateLibvirtd, Unix socket only) and an
 * sshd on 127.0.0.3 started by this test in that daemon's namespace, with its own host key and an
 * authorized_keys holding a key made now; the remote side runs virt-ssh-helper. The application
 * knows it under several names:
 * <ul>
 *   <li>{@code ssh}: {@code qemu+ssh://} with the key ({@code keyfile=}) and an ssh_config Host block
 *       whose known_hosts holds the sshd's host key;</li>
 *   <li>{@code ssh-other-key}: a known_hosts with another key for that address and port;</li>
 *   <li>{@code ssh-unknown-key}: a known_hosts without it;</li>
 *   <li>{@code ssh-no-check}: an ssh_config with StrictHostKeyChecking no: refused by vdresize before
 *       ssh runs (ssh would add the unverified key to that known_hosts and log in);</li>
 *   <li>{@code libssh-other-key}: {@code qemu+libssh://} with a {@code known_hosts=} that holds another key.</li>
 * </ul>
 * {@code qemu+libssh://} with the right known_hosts is checked through a host list of its own: the
 * application must not know one hypervisor under two names (it would see each VM twice).
 * A VM there is resized end to end through the API; the daemon restarts and the next resize works.
 * The oracle is virsh over the same qemu+ssh:// transport.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:sshhost;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true"})  // the demo users (password = name), as scripts/run.sh
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshHostIT {

    private static final Logger log = LoggerFactory.getLogger(SshHostIT.class);
    static final String ADDRESS = "127.0.0.3";

    static Path dir;
    static PrivateLibvirtd daemon;
    static TestSshd sshd;
    static RemoteHosts.RemoteVm vm;
    static Path notChecked;
    static String uri;

    @LocalServerPort int port;
    ApiClient api;

    @DynamicPropertySource
    static void hosts(DynamicPropertyRegistry registry) {
        setUp();
        String key = "/system?keyfile=" + sshd.clientKey();
        String[][] hosts = {
            {"ssh", uri},
            {"ssh-other-key", "qemu+ssh://root@" + sshd.clientAlias("other", sshd.knownHostsWithAnotherKey()) + key},
            {"ssh-unknown-key", "qemu+ssh://root@" + sshd.clientAlias("unknown", sshd.knownHostsEmpty()) + key},
            {"ssh-no-check", "qemu+ssh://root@" + sshd.clientAlias("nocheck", notChecked, "StrictHostKeyChecking no") + key},
            {"libssh-other-key", "qemu+libssh://root@" + ADDRESS + ":" + sshd.port() + key
                    + "&known_hosts=" + sshd.knownHostsWithAnotherKey()},
        };
        for (int i = 0; i < hosts.length; i++) {
            String[] host = hosts[i];
            registry.add("vdresize.hosts[" + i + "].name", () -> host[0]);
            registry.add("vdresize.hosts[" + i + "].uri", () -> host[1]);
        }
    }

    static synchronized void setUp() {
        if (daemon != null) {
            return;
        }
        try {
            dir = Files.createTempDirectory(LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-ssh");
            notChecked = Files.createFile(dir.resolve("known_hosts_not_checked"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon = PrivateLibvirtd.create();
        sshd = TestSshd.start(ADDRESS, daemon);
        uri = "qemu+ssh://root@" + sshd.clientAlias("good", sshd.knownHosts()) + "/system?keyfile=" + sshd.clientKey();
        vm = RemoteHosts.startVm(daemon, "ssh");
    }

    @AfterAll
    static void tearDown() throws Exception {
        RemoteHosts.tearDown(vm, daemon, dir, sshd);
    }

    @BeforeEach
    void client() {
        api = new ApiClient(port, "demo", "demo");
    }

    @Test
    @Order(1)
    void onlyHostsWhoseKeyVerifiesAreAvailable() throws IOException {
        // the first ssh login runs the remote user's shell start-up files: it may take longer than one call waits
        RemoteHosts.awaitAvailable(api, "ssh", true);

        JsonNode otherKey = RemoteHosts.host(api, "ssh-other-key");
        log.info("ssh-other-key: {}", otherKey);
        assertThat(otherKey.path("available").asBoolean()).isFalse();
        assertThat(otherKey.path("error").asText()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
                .contains("Host key verification failed").doesNotContain("\n");

        JsonNode unknownKey = RemoteHosts.host(api, "ssh-unknown-key");
        log.info("ssh-unknown-key: {}", unknownKey);
        assertThat(unknownKey.path("available").asBoolean()).isFalse();
        assertThat(unknownKey.path("error").asText()).contains("Host key verification failed");

        JsonNode noCheck = RemoteHosts.host(api, "ssh-no-check");
        log.info("ssh-no-check: {}", noCheck);
        assertThat(noCheck.path("available").asBoolean()).isFalse();
        assertThat(noCheck.path("error").asText()).contains("StrictHostKeyChecking no");
        assertThat(Files.readString(notChecked)).as("ssh never ran for it, so it learnt no key").isEmpty();
        assertThat(Files.readString(sshd.knownHostsEmpty())).as("an unknown key is not added").isEmpty();

        JsonNode libsshOtherKey = RemoteHosts.host(api, "libssh-other-key");
        log.info("libssh-other-key: {}", libsshOtherKey);
        assertThat(libsshOtherKey.path("available").asBoolean()).isFalse();
        assertThat(libsshOtherKey.path("error").asText()).containsIgnoringCase("host key verification failed");

        assertThat(RemoteHosts.health(api, "ssh-other-key").path("error").asText()).isEqualTo(otherKey.path("error").asText());
    }

    @Test
    @Order(2)
    void libsshChecksTheHostKeyAgainstTheKnownHostsFileOfTheUri() {
        String libssh = "qemu+libssh://root@" + ADDRESS + ":" + sshd.port() + "/system?keyfile=" + sshd.clientKey()
                + "&known_hosts=" + sshd.knownHosts();
        LibvirtHosts hosts = new LibvirtHosts(new Binder(new MapConfigurationPropertySource(Map.of(
                "vdresize.hosts[0].name", "libssh", "vdresize.hosts[0].uri", libssh))).bindOrCreate("vdresize", VdresizeProperties.class),
                TestExecutors.LIBVIRT_CONNECTOR, TestExecutors.LIBVIRT_CLOSER);
        try {
            await().pollInSameThread().atMost(RemoteHosts.TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> hosts.status("libssh"), HostStatus::available);
        } finally {
            hosts.close();
        }
    }

    @Test
    @Order(3)
    void aVmOnTheSshHostIsResizedEndToEnd() {
        RemoteHosts.growByOneMiB(api, "ssh", vm, uri + "&no_tty=1", 17 * MIB);
    }

    @Test
    @Order(4)
    void theConnectionSurvivesARestartOfTheDaemon() {
        RemoteHosts.restart(api, "ssh", daemon);
        RemoteHosts.growByOneMiB(api, "ssh", vm, uri + "&no_tty=1", 18 * MIB);
    }
}
