package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vdresize.testsupport.Cmd;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.PrivateLibvirtd;
import org.vdresize.testsupport.TestFiles;

/** What TlsHostIT and SshHostIT ask the application and a host the same way. */
final class RemoteHosts {

    private static final Logger log = LoggerFactory.getLogger(RemoteHosts.class);
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** A running VM whose vdb is a 16 MiB qcow2, on a private libvirtd. */
    record RemoteVm(LibvirtFixture fixture, String name) {
    }

    private RemoteHosts() {
    }

    /** The host's entry in GET /api/hosts. */
    static JsonNode host(ApiClient api, String name) {
        ApiClient.Response hosts = api.get("/api/hosts");
        assertThat(hosts.status()).as(hosts.body().toString()).isEqualTo(200);
        return StreamSupport.stream(hosts.body().spliterator(), false)
                .filter(h -> name.equals(h.path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no host " + name + " in " + hosts.body()));
    }

    /** The host's entry in the libvirt health component's details. */
    static JsonNode health(ApiClient api, String name) {
        JsonNode hosts = api.get("/actuator/health").body().at("/components/libvirt/details/hosts");
        return StreamSupport.stream(hosts.spliterator(), false)
                .filter(h -> name.equals(h.path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no host " + name + " in the health details " + hosts));
    }

    /** Waits until GET /api/hosts shows the host available (or not). */
    static JsonNode awaitAvailable(ApiClient api, String name, boolean available) {
        return await().pollInSameThread().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> host(api, name), host -> host.path("available").asBoolean() == available);
    }

    /** POST /api/resizes, then waits for its end: it must complete. */
    static JsonNode resize(ApiClient api, String body) {
        ApiClient.Response response = api.post("/api/resizes", body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        JsonNode done = api.awaitEnd(response.body().get("id").asText(), TIMEOUT);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        return done;
    }

    /** {@code virsh domblkinfo}'s capacity, asked over the given URI. */
    static long domblkinfoCapacity(String uri, String vm, String target) {
        for (String line : Cmd.run("virsh", "-q", "-c", uri, "domblkinfo", vm, target).lines().toList()) {
            String[] parts = line.trim().split(":\\s*");
            if (parts.length == 2 && parts[0].equals("Capacity")) {
                return Long.parseLong(parts[1].trim());
            }
        }
        throw new IllegalStateException("no capacity of " + vm + " " + target + " at " + uri);
    }

    /** Made through the daemon's own socket: the application and the oracle use only the transport under test. */
    static RemoteVm startVm(PrivateLibvirtd daemon, String label) {
        LibvirtFixture fixture = LibvirtFixture.create(daemon.uri(), null);
        String name = fixture.startVm(label, Disk.virtio(fixture.createQcow2(label + ".qcow2", 16 * LibvirtFixture.MIB), "vdb"));
        return new RemoteVm(fixture, name);
    }

    /**
     * Removes the VM (starting the daemon again first if a test left it stopped), then closes the
     * servers in front of the daemon, the daemon, and deletes the test's folder. Each may be null.
     */
    static void tearDown(RemoteVm vm, PrivateLibvirtd daemon, Path dir, AutoCloseable... servers) throws Exception {
        if (daemon != null && !daemon.isRunning()) {
            daemon.start();
        }
        if (vm != null) {
            vm.fixture().close();
        }
        for (AutoCloseable server : servers) {
            if (server != null) {
                server.close();
            }
        }
        if (daemon != null) {
            daemon.close();
        }
        if (dir != null) {
            TestFiles.deleteRecursively(dir);
        }
    }

    /** Grows the VM's vdb by 1 MiB through the API: it is done on that host, and virsh over {@code oracleUri} sees it. */
    static void growByOneMiB(ApiClient api, String host, RemoteVm vm, String oracleUri, long expected) {
        JsonNode done = resize(api, "{\"vm\":\"" + vm.name() + "\",\"target\":\"vdb\",\"size\":\"+1M\",\"notifyGuest\":false}");
        log.info("resize on {}: {}", host, done);
        assertThat(done.at("/vms/0/host").asText()).isEqualTo(host);
        assertThat(done.at("/vms/0/status").asText()).isEqualTo("RESIZED");
        assertThat(domblkinfoCapacity(oracleUri, vm.name(), "vdb")).isEqualTo(expected);
    }

    /** Stops the host's daemon: the host is unavailable with an error; starts it again: available again. */
    static void restart(ApiClient api, String host, PrivateLibvirtd daemon) {
        daemon.stop();
        JsonNode down = awaitAvailable(api, host, false);
        log.info("{} while its libvirtd is stopped: {}", host, down);
        assertThat(down.path("error").asText()).isNotBlank();
        daemon.start();
        awaitAvailable(api, host, true);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
