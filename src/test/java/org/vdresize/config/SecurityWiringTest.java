package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.inventory.DiskView;
import org.vdresize.inventory.InventoryService;

/**
 * The whole application on a random port with an in-memory database: the real engine, identity
 * service, engine-rest and webapps. Only the inventory is mocked (its libvirt side is written
 * elsewhere). Proves the guards sit where the contract says and the webapps still log in.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:security-wiring;DB_CLOSE_DELAY=-1",
        // the first administrator as an operator names it (contract: "First administrator and demo users")
        "vdresize.admin.user=demo", "vdresize.admin.password=demo",
        "camunda.bpm.job-execution.enabled=false",
        // the engine creates its ACT_* tables before Flyway runs, and Flyway refuses a non-empty schema
        // without its history table; the application itself still needs a fix for this (see the branch report).
        // Baseline 0, not the default 1: V1 (vdresize's tables) must still run.
        "spring.flyway.baseline-on-migrate=true",
        "spring.flyway.baseline-version=0"})
class SecurityWiringTest {

    private static final String OTHER_USER = "wiringtest";

    @LocalServerPort
    private int port;
    @Autowired
    private IdentityService identityService;
    @MockitoBean
    private InventoryService inventoryService;

    private final HttpClient http = HttpClient.newHttpClient();  // follows no redirects

    @BeforeEach
    void otherUser() {
        // a second user for the wrong-password case: a failed login locks the user for a while
        if (identityService.createUserQuery().userId(OTHER_USER).count() == 0) {
            User user = identityService.newUser(OTHER_USER);
            user.setPassword("right");
            identityService.saveUser(user);
        }
    }

    @Test
    void theAdministratorOfTheSettingsWasCreatedInCamundaAdminAndNoOtherUser() {
        assertThat(identityService.createUserQuery().userId("demo").memberOfGroup(Groups.CAMUNDA_ADMIN).count())
                .isEqualTo(1);
        assertThat(identityService.checkPassword("demo", "demo")).isTrue();
        for (String user : List.of("admin", "operator", "approver", "auditor")) {
            assertThat(identityService.createUserQuery().userId(user).count()).as(user).isZero();
        }
    }

    @Test
    void apiNeedsCredentials() throws Exception {
        HttpResponse<String> response = send(get("/api/disks"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"vdresize\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"code\":\"UNAUTHENTICATED\"");
    }

    @Test
    void aWebappPagesRequestWithoutALoginIs401WithoutTheBasicChallenge() throws Exception {
        // the challenge would open the browser's password dialog over Cockpit (and leave the page's fetch hanging)
        for (HttpRequest.Builder request : List.of(get("/api/disks").header("X-XSRF-TOKEN", "stale"),
                get("/api/disks").header("X-Requested-With", "XMLHttpRequest"))) {
            HttpResponse<String> response = send(request);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(response.body()).contains("\"code\":\"UNAUTHENTICATED\"");
        }
    }

    @Test
    void apiWithWrongPasswordIs401() throws Exception {
        assertThat(send(get("/api/disks").header("Authorization", basic(OTHER_USER, "wrong"))).statusCode())
                .isEqualTo(401);
    }

    @Test
    void apiWithDemoRunsAsDemoInsideTheEngine() throws Exception {
        AtomicReference<Authentication> seen = new AtomicReference<>();
        when(inventoryService.disks(null, 100)).thenAnswer(call -> {
            seen.set(identityService.getCurrentAuthentication());
            return new org.vdresize.common.Page<DiskView, String>(List.of(), null);
        });

        HttpResponse<String> response = send(get("/api/disks").header("Authorization", basic("demo", "demo")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[]");
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().getUserId()).isEqualTo("demo");
        assertThat(seen.get().getGroupIds()).contains(Groups.CAMUNDA_ADMIN);
    }

    @Test
    void engineRestNeedsCredentialsExceptTheEngineList() throws Exception {
        assertThat(send(get("/engine-rest/process-definition")).statusCode()).isEqualTo(401);
        assertThat(send(get("/engine-rest/process-definition").header("Authorization", basic(OTHER_USER, "nope")))
                .statusCode()).isEqualTo(401);
        HttpResponse<String> withDemo = send(get("/engine-rest/process-definition")
                .header("Authorization", basic("demo", "demo")));
        assertThat(withDemo.statusCode()).isEqualTo(200);
        assertThat(withDemo.body()).startsWith("[");
        // open by Camunda's design: it only lists engine names
        assertThat(send(get("/engine-rest/engine")).statusCode()).isEqualTo(200);
    }

    @Test
    void anonymousHealthIsTheStatusAndNothingMore() throws Exception {
        HttpResponse<String> response = send(get("/actuator/health"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
        // a component's own path does not tell either
        for (String component : List.of("libvirt", "db", "diskSpace", "ping")) {
            HttpResponse<String> one = send(get("/actuator/health/" + component));
            assertThat(one.statusCode()).as(component).isEqualTo(404);
            assertThat(one.body()).as(component).doesNotContain("qemu", "status");
        }
    }

    @Test
    void everyVdresizeRoleSeesTheComponentsAndTheirDetails() throws Exception {
        for (String group : List.of(Roles.OPERATORS, Roles.APPROVERS, Roles.AUDITORS, Roles.ADMINS)) {
            HttpResponse<String> response = send(get("/actuator/health")
                    .header("Authorization", basic(roleUser(group), "pw-" + group)));
            assertThat(response.statusCode()).as(group).isEqualTo(200);
            JsonNode health = new ObjectMapper().readTree(response.body());
            assertThat(health.at("/status").asText()).as(group).isEqualTo("UP");
            assertThat(health.at("/components/libvirt/details/hosts/0/name").asText()).as(group).isEqualTo("local");
            assertThat(health.at("/components/libvirt/details/hosts/0/available").isBoolean()).as(group).isTrue();
            assertThat(health.at("/components/db/details/database").asText()).as(group).isEqualTo("H2");
            assertThat(health.at("/components/diskSpace/details/path").isMissingNode()).as(group).isFalse();
            assertThat(send(get("/actuator/health/libvirt").header("Authorization", basic(roleUser(group), "pw-" + group)))
                    .statusCode()).as(group).isEqualTo(200);
        }
    }

    @Test
    void aUserWithoutAVdresizeRoleSeesOnlyTheStatus() throws Exception {
        String noRole = roleUser("norole");
        HttpResponse<String> response = send(get("/actuator/health").header("Authorization", basic(noRole, "pw-norole")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(send(get("/actuator/health/libvirt").header("Authorization", basic(noRole, "pw-norole"))).statusCode())
                .isEqualTo(404);
    }

    @Test
    void aWrongPasswordOnHealthIs401AndShowsNothing() throws Exception {
        String user = roleUser("wrongpassword");
        HttpResponse<String> response = send(get("/actuator/health").header("Authorization", basic(user, "guess")));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"vdresize\"");
        assertThat(response.body()).contains("\"code\":\"UNAUTHENTICATED\"").doesNotContain("components", "qemu", "UP");
    }

    @Test
    void theOtherActuatorEndpointsNeedAVdresizeRole() throws Exception {
        assertThat(send(get("/actuator/info")).statusCode()).isEqualTo(401);
        assertThat(send(get("/actuator")).statusCode()).isEqualTo(401);
        assertThat(send(get("/actuator/info").header("Authorization", basic(roleUser("norole"), "pw-norole"))).statusCode())
                .isEqualTo(403);
        assertThat(send(get("/actuator/info").header("Authorization", basic(roleUser(Roles.AUDITORS), "pw-" + Roles.AUDITORS)))
                .statusCode()).isEqualTo(200);
    }

    /**
     * A user in {@code group} (none when it is not a group) with the password "pw-" + group. Not
     * {@link #OTHER_USER}: the wrong-password tests lock that one for a few seconds.
     */
    private String roleUser(String group) {
        String id = "h" + group.replaceAll("[^A-Za-z0-9]", "");  // Camunda ids: letters and digits
        if (identityService.createUserQuery().userId(id).count() == 0) {
            User user = identityService.newUser(id);
            user.setPassword("pw-" + group);
            identityService.saveUser(user);
            if (identityService.createGroupQuery().groupId(group).count() == 1) {
                identityService.createMembership(id, group);
            }
        }
        return id;
    }

    @Test
    void rootRedirectsToTheWebapps() throws Exception {
        HttpResponse<String> response = send(get("/"));
        assertThat(response.statusCode()).isBetween(301, 308);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).endsWith("/camunda/app/"));
    }

    @Test
    void webappsServeTheirPagesAndLogInWithTheirOwnCsrfToken() throws Exception {
        HttpResponse<String> welcome = send(get("/camunda/app/welcome/default/"));
        assertThat(welcome.statusCode()).isEqualTo(200);
        assertThat(welcome.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(welcome.body()).containsIgnoringCase("camunda");

        // the webapps' own REST (under /camunda/api) is not behind the /api Basic guard
        HttpResponse<String> notLoggedIn = send(get("/camunda/api/engine/engine/default/process-definition/count"));
        assertThat(notLoggedIn.statusCode()).isEqualTo(401);
        assertThat(notLoggedIn.headers().firstValue("WWW-Authenticate")).isEmpty();

        List<String> cookies = cookies(welcome);
        String xsrf = cookies.stream().filter(c -> c.startsWith("XSRF-TOKEN=")).findFirst()
                .map(c -> c.substring("XSRF-TOKEN=".length())).orElseThrow();
        HttpResponse<String> login = send(HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/default/login/welcome"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", String.join("; ", cookies))
                .header("X-XSRF-TOKEN", xsrf)
                .POST(HttpRequest.BodyPublishers.ofString("username=demo&password=" + URLEncoder.encode("demo", StandardCharsets.UTF_8))));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("\"userId\":\"demo\"");

        List<String> session = new ArrayList<>(cookies);
        session.removeIf(c -> c.startsWith("JSESSIONID="));
        session.addAll(cookies(login));
        HttpResponse<String> count = send(get("/camunda/api/engine/engine/default/process-definition/count")
                .header("Cookie", String.join("; ", session)));
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(count.body()).contains("\"count\"");
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** name=value of every Set-Cookie. */
    private static List<String> cookies(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream()
                .map(c -> c.split(";", 2)[0])
                .collect(Collectors.toCollection(ArrayList::new));
    }
}
