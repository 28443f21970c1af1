package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.storage.StoragePort;
import org.vdresize.vm.HypervisorPort;

/**
 * The application started as {@code java -jar vdresize.jar} would be, on an empty database with
 * neither demo nor administrator settings: no user with a known password, one administrator whose
 * random password is in an owner-only file named in the log. Only the password file's place is set
 * (a fresh one: the default would be the working directory's data/). The libvirt ports are mocks.
 * Output capture: the context starts after the capture began, so its start-up log is in it.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:plain-start;DB_CLOSE_DELAY=-1",
        "camunda.bpm.job-execution.enabled=false",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class PlainStartTest {

    static final Path PASSWORD_FILE;

    static {
        try {
            Files.createDirectories(Path.of("target"));
            PASSWORD_FILE = Files.createTempDirectory(Path.of("target"), "plain-start-").toAbsolutePath()
                    .resolve("initial-admin-password");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void passwordFile(DynamicPropertyRegistry registry) {
        registry.add("vdresize.admin.password-file", PASSWORD_FILE::toString);
    }

    @LocalServerPort int port;
    @Autowired IdentityService identity;
    @Autowired ProcessEngine engine;
    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void noOldPasswordOpensAnythingAndAdminHasTheOneInTheOwnerOnlyFileNamedInTheLog(CapturedOutput output)
            throws Exception {
        assertThat(identity.createUserQuery().list()).extracting(User::getId).containsExactly("admin");
        assertThat(identity.createUserQuery().userId("admin").memberOfGroup(Groups.CAMUNDA_ADMIN).count()).isOne();
        assertThat(Files.getPosixFilePermissions(PASSWORD_FILE)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String password = Files.readString(PASSWORD_FILE).strip();
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        assertThat(output.getAll()).contains(PASSWORD_FILE.toString()).doesNotContain(password);

        assertThat(get("/api/resizes", "admin", password).statusCode()).isEqualTo(200);
        String users = "/engine-rest/engine/" + engine.getName() + "/user/count";
        assertThat(get(users, "admin", password).statusCode()).isEqualTo(200);
        // after the right one: a wrong password delays the user's next login (Camunda's lockout)
        for (String user : List.of("demo", "operator", "approver", "auditor", "admin")) {
            assertThat(get("/api/resizes", user, user).statusCode()).as(user + "/" + user + " on /api").isEqualTo(401);
            assertThat(get(users, user, user).statusCode()).as(user + "/" + user + " on engine-rest")
                    .isEqualTo(401);
        }
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + basic).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
