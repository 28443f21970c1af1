package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.PrivateLibvirtd;
import org.vdresize.testsupport.TestPki;

/**
 * A hypervisor reached over {@code qemu+tls://} only: a second libvirtd (PrivateLibvirtd) that
 * listens for TLS on 127.0.0.2 and nowhere else on the network, with certificates made by certtool
 * for this run. The application knows it under three names:
 * <ul>
 *   <li>{@code tls}: the client certificate and the CA that signed the daemon's certificate
 *       ({@code pkipath=});</li>
 *   <li>{@code tls-other-ca}: a CA that did not sign the daemon's certificate: not trusted;</li>
 *   <li>{@code tls-no-verify}: the same with {@code no_verify=1}: refused by vdresize itself.</li>
 * </ul>
 * A VM there is resized end to end through the API; the daemon restarts and the next resize works.
 * The oracle is virsh over the same TLS transport.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:tlshost;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true"})  // the demo users (password = name), as scripts/run.sh
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsHostIT {

    private static final Logger log = LoggerFactory.getLogger(TlsHostIT.class);
    static final String ADDRESS = "127.0.0.2";

    static Path dir;
    static TestPki pki;
    static TestPki otherCa;
    static PrivateLibvirtd daemon;
    static RemoteHosts.RemoteVm vm;
    static String uri;

    @LocalServerPort int port;
    ApiClient api;

    @DynamicPropertySource
    static void hosts(DynamicPropertyRegistry registry) {
        setUp();
        registry.add("vdresize.hosts[0].name", () -> "tls");
        registry.add("vdresize.hosts[0].uri", () -> uri);
        registry.add("vdresize.hosts[1].name", () -> "tls-other-ca");
        registry.add("vdresize.hosts[1].uri", () -> uri.replace(pki.clientDir().toString(), otherCa.clientDir().toString()));
        registry.add("vdresize.hosts[2].name", () -> "tls-no-verify");
        registry.add("vdresize.hosts[2].uri", () -> uri.replace(pki.clientDir().toString(), otherCa.clientDir().toString())
                + "&no_verify=1");
    }

    static synchronized void setUp() {
        if (daemon != null) {
            return;
        }
        try {
            dir = Files.createTempDirectory(LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pki = TestPki.create(dir.resolve("pki"), ADDRESS);
        otherCa = TestPki.create(dir.resolve("other-ca"), ADDRESS);
        int tlsPort = freePort();
        daemon = PrivateLibvirtd.create(new PrivateLibvirtd.Tls(ADDRESS, tlsPort, pki.caCert(), pki.serverCert(), pki.serverKey()));
        uri = "qemu+tls://" + ADDRESS + ":" + tlsPort + "/system?pkipath=" + pki.clientDir();
        vm = RemoteHosts.startVm(daemon, "tls");
    }

    @AfterAll
    static void tearDown() throws Exception {
        RemoteHosts.tearDown(vm, daemon, dir);
    }

    @BeforeEach
    void client() {
        api = new ApiClient(port, "demo", "demo");
    }

    @Test
    @Order(1)
    void onlyTheHostWhoseCertificateVerifiesIsAvailable() {
        assertThat(RemoteHosts.host(api, "tls").path("available").asBoolean()).isTrue();

        JsonNode otherCaHost = RemoteHosts.host(api, "tls-other-ca");
        log.info("tls-other-ca: {}", otherCaHost);
        assertThat(otherCaHost.path("available").asBoolean()).isFalse();
        assertThat(otherCaHost.path("error").asText()).containsIgnoringCase("certificate");

        JsonNode noVerify = RemoteHosts.host(api, "tls-no-verify");
        log.info("tls-no-verify: {}", noVerify);
        assertThat(noVerify.path("available").asBoolean()).isFalse();
        assertThat(noVerify.path("error").asText()).contains("no_verify=1");

        assertThat(RemoteHosts.health(api, "tls-other-ca").path("error").asText()).isEqualTo(otherCaHost.path("error").asText());
    }

    @Test
    @Order(2)
    void aVmOnTheTlsHostIsResizedEndToEnd() {
        RemoteHosts.growByOneMiB(api, "tls", vm, uri, 17 * MIB);
    }

    @Test
    @Order(3)
    void theConnectionSurvivesARestartOfTheDaemon() {
        RemoteHosts.restart(api, "tls", daemon);
        RemoteHosts.growByOneMiB(api, "tls", vm, uri, 18 * MIB);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(ADDRESS), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
