package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.guest.GuestAgentUnavailableException;
import org.vdresize.guest.GuestDiskUsage;
import org.vdresize.guest.GuestFilesystem;
import org.vdresize.guest.GuestFilesystemService;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.VmState;
import org.vdresize.process.WatchProcess;
import org.vdresize.storage.StoragePort;
import org.vdresize.testsupport.FakeLibvirt;
import org.vdresize.vm.HypervisorPort;

/**
 * Watches through /api/watches with the roles as in application.yml, the real engine, the real
 * autogrow table and the real resize process; libvirt and the guest's filesystem figures are
 * faked (GuestFilesystemService: what guest-get-fsinfo would report). The QEMU guest: e2e/WatchIT.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:watchroles;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1099511627776",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class WatchRolesTest {

    static final long MIB = 1L << 20;
    static final String NOBODY = "nobody";

    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;
    @MockitoBean GuestFilesystemService guestFilesystems;

    @LocalServerPort int port;
    @Autowired ProcessEngine engine;
    @Autowired IdentityService identity;
    @Autowired RuntimeService runtime;
    @Autowired HistoryService history;
    @Autowired JdbcTemplate jdbc;
    @Autowired ObjectMapper json;

    private final HttpClient http = HttpClient.newHttpClient();
    FakeLibvirt libvirt;
    /** the guest's used bytes on /srv, by VM uuid; absent: no agent */
    final Map<String, Long> used = new ConcurrentHashMap<>();

    @BeforeEach
    void fakeLibvirt() {
        libvirt = FakeLibvirt.stub(inventory, storage, hypervisor, guestAgent);
        when(guestFilesystems.usage(anyString(), anyString())).thenAnswer(i -> {
            String uuid = i.getArgument(0);
            if (!used.containsKey(uuid)) {
                throw new GuestAgentUnavailableException("QEMU guest agent is not configured", null);
            }
            long size = libvirt.qemuCapacity(uuid);
            // ext4 takes a little of the disk for itself
            return new GuestDiskUsage("vda", size, List.of(new GuestFilesystem("/dev/vda", "/srv", "ext4",
                    size - 4 * MIB, used.get(uuid))));
        });
        if (identity.createUserQuery().userId(NOBODY).count() == 0) {
            User nobody = identity.newUser(NOBODY);
            nobody.setPassword(NOBODY);
            identity.saveUser(nobody);
        }
    }

    /** A raw volume of {@code mib} MiB used by the running VM {@code name}, whose guest has /srv on it. */
    String disk(String name, long mib) {
        String path = libvirt.volume(name, mib * MIB);
        libvirt.add(name, VmState.RUNNING, true, libvirt.vdb(path, false, "vdr-" + name));
        return path;
    }

    static String watch(String vm, String maxSize, String mode) {
        return "{\"vm\": \"" + vm + "\", \"target\": \"vdb\", \"maxSize\": \"" + maxSize + "\", \"interval\": \"PT10S\""
                + (mode == null ? "" : ", \"mode\": \"" + mode + "\"") + "}";
    }

    // ---------------------------------------------------------------- roles

    @Test
    void operatorsCreateAndDeleteAuditorsReadOthersAreRefused() throws Exception {
        disk("roles", 64);
        HttpResponse<String> created = api("operator", post("/api/watches", watch("roles", "1G", "OBSERVE")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode watch = json.readTree(created.body());
        String id = watch.at("/id").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/watches/" + id);
        assertThat(watch.at("/disk").asText()).isEqualTo("/pool/roles.img");
        assertThat(watch.at("/vm").asText()).isEqualTo("roles");
        assertThat(watch.at("/mode").asText()).isEqualTo("OBSERVE");
        assertThat(watch.at("/maxSize").asLong()).isEqualTo(1024 * MIB);
        assertThat(watch.at("/interval").asText()).isEqualTo("PT10S");
        assertThat(watch.at("/status").asText()).isEqualTo("WATCHING");

        for (String user : List.of("auditor", "operator", "demo")) {
            assertThat(api(user, get("/api/watches")).statusCode()).as(user).isEqualTo(200);
            assertThat(api(user, get("/api/watches/" + id)).statusCode()).as(user).isEqualTo(200);
        }
        for (String user : List.of("approver", NOBODY)) {
            assertThat(api(user, get("/api/watches")).statusCode()).as(user).isEqualTo(403);
            assertThat(api(user, get("/api/watches/" + id)).statusCode()).as(user).isEqualTo(403);
        }
        long watches = watchCount();
        for (String user : List.of("auditor", "approver", NOBODY)) {
            HttpResponse<String> refused = api(user, post("/api/watches", watch("roles", "1G", null)));
            assertThat(refused.statusCode()).as(user).isEqualTo(403);
            assertThat(json.readTree(refused.body()).at("/code").asText()).isEqualTo("FORBIDDEN");
            assertThat(api(user, delete("/api/watches/" + id)).statusCode()).as(user).isEqualTo(403);
        }
        HttpResponse<String> stranger = http.send(get("/api/watches").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(watchCount()).isEqualTo(watches);

        assertThat(api("operator", delete("/api/watches/" + id)).statusCode()).isEqualTo(204);
        JsonNode stopped = json.readTree(api("auditor", get("/api/watches/" + id)).body());
        assertThat(stopped.at("/status").asText()).isEqualTo("STOPPED");
        assertThat(stopped.at("/stoppedBy").asText()).isEqualTo("operator");
        assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(id).count()).isZero();
        assertThat(auditTypes("/pool/roles.img")).contains("WATCH_CREATED", "WATCH_STOPPED");
        // deleting again changes nothing
        assertThat(api("operator", delete("/api/watches/" + id)).statusCode()).isEqualTo(204);
    }

    @Test
    void badInputGetsTheResizeApisCodesAndCreatesNothing() throws Exception {
        disk("bad", 64);
        long watches = watchCount();
        long instances = runtime.createProcessInstanceQuery().processDefinitionKey(WatchProcess.PROCESS_KEY).count();
        Map<String, String> cases = Map.of(
                "{\"vm\": \"bad\", \"target\": \"vdb\"}", "INVALID_REQUEST",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"lots\"}", "INVALID_SIZE",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"+1G\"}", "INVALID_SIZE",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"32M\"}", "INVALID_SIZE",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"1G\", \"mode\": \"SOMETIMES\"}", "INVALID_REQUEST",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"1G\", \"interval\": \"5 minutes\"}", "INVALID_REQUEST",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"1G\", \"interval\": \"PT1S\"}", "INVALID_REQUEST",
                "{\"vm\": \"bad\", \"target\": \"vdb\", \"maxSize\": \"1G\", \"size\": \"2G\"}", "INVALID_REQUEST",
                "{\"vm\": \"nosuchvm\", \"target\": \"vdb\", \"maxSize\": \"1G\"}", "UNKNOWN_VM",
                "{\"vm\": \"bad\", \"target\": \"vdz\", \"maxSize\": \"1G\"}", "UNKNOWN_DISK");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = api("operator", post("/api/watches", c.getKey()));
            assertThat(response.statusCode()).as(c.getKey()).isBetween(400, 409);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json.readTree(response.body()).at("/code").asText()).as(c.getKey()).isEqualTo(c.getValue());
        }
        HttpResponse<String> unknown = api("auditor", get("/api/watches/no-such-watch"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).at("/code").asText()).isEqualTo("UNKNOWN_WATCH");
        assertThat(api("operator", delete("/api/watches/no-such-watch")).statusCode()).isEqualTo(404);
        assertThat(api("auditor", get("/api/watches?limit=0")).statusCode()).isEqualTo(400);
        assertThat(watchCount()).isEqualTo(watches);
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(WatchProcess.PROCESS_KEY).count())
                .isEqualTo(instances);
        assertThat(libvirt.capacity("/pool/bad.img")).isEqualTo(64 * MIB);
    }

    @Test
    void engineRestStartsNoWatchForAnyoneAndAnInstanceStartedPastTheApiEndsDoingNothing() throws Exception {
        String byKey = "/engine-rest/engine/" + engine.getName() + "/process-definition/key/disk-watch/start";
        String definitionId = engine.getRepositoryService().createProcessDefinitionQuery()
                .processDefinitionKey(WatchProcess.PROCESS_KEY).latestVersion().singleResult().getId();
        String byId = "/engine-rest/engine/" + engine.getName() + "/process-definition/" + definitionId + "/start";
        long instances = runtime.createProcessInstanceQuery().processDefinitionKey(WatchProcess.PROCESS_KEY).count();
        for (String user : List.of("demo", "operator")) {
            for (String start : List.of(byKey, byId)) {
                HttpResponse<String> response = api(user, post(start, "{\"businessKey\": \"x\", \"variables\": {}}"));
                assertThat(response.statusCode()).as(user + " " + start + " " + response.body()).isEqualTo(400);
            }
        }
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(WatchProcess.PROCESS_KEY).count())
                .isEqualTo(instances);

        // the Java API has no such filter: such an instance acts for no watch and ends at its first step
        String id = runtime.startProcessInstanceByKey(WatchProcess.PROCESS_KEY, "forged",
                Map.of(WatchProcess.VAR_INTERVAL, "PT10S", WatchProcess.VAR_COOLDOWN_INTERVAL, "PT10S")).getId();
        await(() -> history.createHistoricActivityInstanceQuery().processInstanceId(id)
                .activityId(WatchProcess.EVENT_WATCH_STOPPED).count() == 1, "the forged instance ends");
        assertThat(jdbc.queryForObject("select count(*) from vdr_watch_sample where watch_id = 'forged'", Long.class))
                .isZero();
    }

    // ---------------------------------------------------------------- the loop, with the real table and resize process

    @Test
    void aFillingFilesystemIsGrownThroughTheResizeProcessUpToMaxSizeAndThenAtLimit() throws Exception {
        String path = disk("fills", 64);
        used.put("fills-uuid", 58 * MIB); // of 60 MiB: 97 %
        String id = json.readTree(api("operator", post("/api/watches", watch("fills", "256M", null))).body())
                .at("/id").asText();

        // 97 % used: grow by max(25 %, 1 GiB), cut to maxSize: 64 MiB -> 256 MiB in one resize
        JsonNode grown = awaitWatch(id, w -> w.at("/resizes").size() == 1, "a resize was started");
        String resizeId = grown.at("/resizes/0").asText();
        JsonNode resize = awaitResize(resizeId, "COMPLETED");
        assertThat(resize.at("/requestedBy").asText()).isEqualTo("watch:" + id);
        assertThat(resize.at("/reason").asText()).startsWith("autogrow: /srv 97 % used");
        assertThat(resize.at("/newSize").asLong()).isEqualTo(256 * MIB);
        assertThat(libvirt.capacity(path)).isEqualTo(256 * MIB);

        // full again, at maxSize now: AT_LIMIT, no second resize
        used.put("fills-uuid", 250 * MIB);
        JsonNode atLimit = awaitWatch(id, w -> w.at("/status").asText().equals("AT_LIMIT"), "AT_LIMIT");
        assertThat(atLimit.at("/lastDecision/action").asText()).isEqualTo("AT_LIMIT");
        assertThat(atLimit.at("/resizes").size()).isOne();
        assertThat(atLimit.at("/lastSample/usedBytes").asLong()).isEqualTo(250 * MIB);
        assertThat(libvirt.capacity(path)).isEqualTo(256 * MIB);
        List<String> details = jdbc.queryForList("select detail from vdr_audit_event where disk = ? and type = 'WATCH_DECISION'"
                + " order by id", String.class, path);
        assertThat(details).anyMatch(d -> d.startsWith("GROW by " + 192 * MIB + " B: autogrow: /srv 97 % used")
                && d.contains("maxSize=" + 256 * MIB) && d.contains("growthsLast24h=0"));
        assertThat(details).anyMatch(d -> d.startsWith("AT_LIMIT") && d.contains("growthsLast24h=1"));
        api("operator", delete("/api/watches/" + id));
    }

    @Test
    void observeRecordsTheDecisionAndChangesNothingAndNoAgentIsRecorded() throws Exception {
        String observed = disk("observed", 64);
        used.put("observed-uuid", 58 * MIB);
        disk("agentless", 64);
        String observe = json.readTree(api("operator", post("/api/watches", watch("observed", "1G", "OBSERVE"))).body())
                .at("/id").asText();
        String noAgent = json.readTree(api("operator", post("/api/watches", watch("agentless", "1G", null))).body())
                .at("/id").asText();

        JsonNode o = awaitWatch(observe, w -> w.at("/lastDecision/action").asText().equals("GROW"), "a GROW decision");
        assertThat(o.at("/lastDecision/reason").asText()).startsWith("observe (not grown): /srv 97 % used");
        assertThat(o.at("/lastSample/usedPercent").asDouble()).isEqualTo(96.7);
        JsonNode n = awaitWatch(noAgent, w -> w.at("/status").asText().equals("NO_AGENT"), "NO_AGENT");
        assertThat(n.at("/lastDecision").isNull()).isTrue();
        Thread.sleep(2000);
        assertThat(json.readTree(api("auditor", get("/api/watches/" + observe)).body()).at("/resizes").size()).isZero();
        assertThat(libvirt.capacity(observed)).isEqualTo(64 * MIB);
        api("operator", delete("/api/watches/" + observe));
        api("operator", delete("/api/watches/" + noAgent));
    }

    // ---------------------------------------------------------------- helpers

    long watchCount() {
        return jdbc.queryForObject("select count(*) from vdr_watch", Long.class);
    }

    List<String> auditTypes(String path) {
        return jdbc.queryForList("select type from vdr_audit_event where disk = ? order by id", String.class, path);
    }

    JsonNode awaitWatch(String id, Predicate<JsonNode> condition, String what) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        JsonNode watch = json.readTree(api("auditor", get("/api/watches/" + id)).body());
        while (!condition.test(watch) && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            watch = json.readTree(api("auditor", get("/api/watches/" + id)).body());
        }
        assertThat(condition.test(watch)).as(what + ": " + watch).isTrue();
        return watch;
    }

    JsonNode awaitResize(String id, String status) throws Exception {
        long end = System.currentTimeMillis() + 30_000;
        JsonNode resize = json.readTree(api("auditor", get("/api/resizes/" + id)).body());
        while (!resize.at("/status").asText().equals(status) && System.currentTimeMillis() < end) {
            Thread.sleep(100);
            resize = json.readTree(api("auditor", get("/api/resizes/" + id)).body());
        }
        assertThat(resize.at("/status").asText()).as(resize.toString()).isEqualTo(status);
        return resize;
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    HttpRequest.Builder delete(String path) {
        return HttpRequest.newBuilder(uri(path)).DELETE();
    }

    HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    HttpResponse<String> api(String user, HttpRequest.Builder request) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
        return http.send(request.header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());
    }
}
