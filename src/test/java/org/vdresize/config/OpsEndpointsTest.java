package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.storage.StoragePort;
import org.vdresize.vm.HypervisorPort;

/**
 * What operators and integrators reach besides the API: the OpenAPI description of /api/** with its
 * browsable UI (without credentials), and the Prometheus scrape with vdresize's own metrics (with
 * a vdresize role). The
 * whole application on a random port; the libvirt ports are mocks (nothing here calls them).
 * {@code @AutoConfigureObservability}: tests otherwise replace the Prometheus registry by a simple one.
 */
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:ops-endpoints;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        // a host whose URI names a root login and a key file: neither may show in metrics, health or the log
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system",
        "vdresize.hosts[1].name=kvm7", "vdresize.hosts[1].uri=" + OpsEndpointsTest.SECRET_URI,
        "camunda.bpm.job-execution.enabled=false",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class OpsEndpointsTest {

    static final String SECRET_URI = "qemu+ssh://root@kvm7.invalid/system?keyfile=/etc/vdr/id_kvm7";

    @LocalServerPort int port;
    @Autowired IdentityService identity;
    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;

    final HttpClient http = HttpClient.newHttpClient();  // follows no redirects
    final ObjectMapper json = new ObjectMapper();

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String user, String password) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + basic).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiDescriptionListsEveryApiEndpointAndNothingElse() throws Exception {
        HttpResponse<String> response = get("/v3/api-docs");
        assertThat(response.statusCode()).as("served without credentials").isEqualTo(200);
        JsonNode doc = json.readTree(response.body());
        // kept for a look (and for clients that want a file): target/openapi.json
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "openapi.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsString(doc));

        List<String> paths = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).containsExactlyInAnyOrder("/api/resizes", "/api/resizes/{id}", "/api/disks", "/api/hosts",
                "/api/audit", "/api/audit/verify", "/api/watches", "/api/watches/{id}", "/api/stats/resizes");
        assertThat(doc.at("/paths/~1api~1resizes").has("post")).isTrue();
        assertThat(doc.at("/paths/~1api~1watches").has("post")).isTrue();
        assertThat(doc.at("/paths/~1api~1watches~1{id}").has("delete")).isTrue();
        assertThat(doc.at("/paths/~1api~1resizes").has("get")).isTrue();
        assertThat(doc.at("/paths/~1api~1audit/get/responses/200/content").has("text/csv")).isTrue();
        assertThat(doc.at("/components/securitySchemes/basicAuth/scheme").asText()).isEqualTo("basic");
        assertThat(doc.at("/security/0").has("basicAuth")).isTrue();
    }

    @Test
    void theHandReadRequestBodyIsDescribedWithTheThreeWaysToNameADiskAndTheProblems() throws Exception {
        JsonNode doc = json.readTree(get("/v3/api-docs").body());
        JsonNode post = doc.at("/paths/~1api~1resizes/post");

        JsonNode body = post.at("/requestBody/content/application~1json");
        assertThat(body.at("/schema/$ref").asText()).isEqualTo("#/components/schemas/ResizeRequest");
        List<String> examples = new ArrayList<>();
        body.get("examples").fieldNames().forEachRemaining(examples::add);
        assertThat(examples).contains("vm and target", "pool and volume", "path", "size in bytes");
        assertThat(body.at("/examples/path/value/path").asText()).startsWith("/");
        JsonNode request = doc.at("/components/schemas/ResizeRequest");
        assertThat(request.get("properties")).isNotNull();
        List<String> fields = new ArrayList<>();
        request.get("properties").fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("vm", "target", "pool", "volume", "path", "size", "notifyGuest",
                "growFilesystem", "reason");
        assertThat(request.at("/properties/size/description").asText()).contains("+512M", "powers of 1024");
        assertThat(request.get("required")).extracting(JsonNode::asText).containsExactly("size");

        assertThat(post.get("responses").has("202")).isTrue();
        for (String status : List.of("400", "401", "404", "409", "503")) {
            assertThat(post.at("/responses/" + status + "/content/application~1problem+json/schema/$ref").asText())
                    .as(status).isEqualTo("#/components/schemas/Problem");
        }
        assertThat(post.at("/responses/409/content/application~1problem+json/examples/DISK_BUSY/value/code").asText())
                .isEqualTo("DISK_BUSY");
        assertThat(doc.at("/components/schemas/Problem/properties/code")).isNotNull();
    }

    @Test
    void theSwaggerUiIsBrowsableWithoutCredentials() throws Exception {
        HttpResponse<String> redirect = get("/swagger-ui.html");
        assertThat(redirect.statusCode()).isEqualTo(302);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).contains("/swagger-ui/index.html");
        HttpResponse<String> page = get(URI.create(location).getPath());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("swagger-ui");
        assertThat(get("/v3/api-docs/swagger-config").body()).contains("/v3/api-docs");
    }

    @Test
    void aHostsLoginAndKeyFileAreInNeitherMetricsNorHealthNorTheLog(CapturedOutput output) throws Exception {
        HttpResponse<String> health = get("/actuator/health", "auditor", "auditor");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode hosts = json.readTree(health.body()).at("/components/libvirt/details/hosts");
        assertThat(hosts.get(1).get("name").asText()).isEqualTo("kvm7");
        assertThat(hosts.get(1).get("uri").asText()).isEqualTo("qemu+ssh://kvm7.invalid/system?keyfile=***");
        assertThat(hosts.get(1).get("available").asBoolean()).isFalse();
        // also for camunda-admin: health answers end up in monitoring systems
        for (HttpResponse<String> response : List.of(health, get("/actuator/health", "demo", "demo"),
                get("/actuator/prometheus", "auditor", "auditor"))) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).doesNotContain("root@", "id_kvm7");
        }
        assertThat(get("/actuator/prometheus", "auditor", "auditor").body()).doesNotContain("kvm7", "qemu");
        // GET /api/hosts per role: DiskControllerTest (the inventory is a mock here)
        assertThat(output.getAll()).contains("kvm7").doesNotContain("root@kvm7", "id_kvm7");
    }

    @Test
    void prometheusNeedsAVdresizeRole() throws Exception {
        HttpResponse<String> anonymous = get("/actuator/prometheus");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("vdresize_", "jvm_");
        if (identity.createUserQuery().userId("scraperwithoutrole").count() == 0) {
            User user = identity.newUser("scraperwithoutrole");
            user.setPassword("pw");
            identity.saveUser(user);
        }
        HttpResponse<String> noRole = get("/actuator/prometheus", "scraperwithoutrole", "pw");
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(noRole.body()).doesNotContain("vdresize_", "jvm_");
    }

    @Test
    void prometheusScrapesWithAnAuditorsCredentialsAndShowsTheBusinessMetrics() throws Exception {
        HttpResponse<String> response = get("/actuator/prometheus", "auditor", "auditor");
        assertThat(response.statusCode()).isEqualTo(200);
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "prometheus.txt"), response.body());
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(response.body())
                .contains("vdresize_resizes_total{outcome=\"COMPLETED\"}")
                .contains("vdresize_resizes_total{outcome=\"ROLLED_BACK\"}")
                .contains("vdresize_resize_duration_seconds_bucket{outcome=\"COMPLETED\",le=\"60.0\"}")
                .contains("vdresize_resizes_in_progress{status=\"NEEDS_ATTENTION\"} 0")
                .contains("# TYPE vdresize_resize_duration_seconds histogram");
        // vdresize's own pools are Spring's executors, measured like any (config.ExecutorsConfig)
        for (String pool : List.of("resizeViewReaders", "resizeStatusWatchScheduler", "libvirtConnector",
                "libvirtCloser", "taskScheduler", "storageHeartbeatScheduler")) {
            assertThat(response.body()).contains("executor_pool_size_threads{name=\"" + pool + "\"}",
                    "executor_completed_tasks_total{name=\"" + pool + "\"}", "executor_queued_tasks{name=\"" + pool + "\"}");
        }
        // the API itself still needs credentials
        assertThat(get("/api/resizes").statusCode()).isEqualTo(401);
    }
}
