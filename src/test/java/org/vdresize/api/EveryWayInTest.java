package org.vdresize.api;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditService;
import org.vdresize.config.Roles;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.VmState;
import org.vdresize.resize.ResizeService;
import org.vdresize.resize.ResizeStatus;
import org.vdresize.resize.ResizeView;
import org.vdresize.storage.StoragePort;
import org.vdresize.testsupport.FakeLibvirt;
import org.vdresize.vm.BlockJob;
import org.vdresize.vm.HypervisorPort;

/**
 * One contract for every way in (api-contract.md, "Every way in, one contract"): REST, engine-rest
 * and Tasklist's start form go through one validator, so a wrongly typed field is a clear error
 * (here: an instance that ends REJECTED in its starting transaction) and never a 500 or a
 * half-started resize; a growth that rounds to the current size is the no-op every way. The real
 * application on a random port; only libvirt is faked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:waysin;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // no first administrator with a random password file: the demo users
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1073741824",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class EveryWayInTest {

    static final long MIB = 1L << 20;
    static final String OPERATOR = "waysinop";
    static final String PASSWORD = "waysinop-secret";

    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;

    @LocalServerPort int port;
    @Autowired ProcessEngine engine;
    @Autowired IdentityService identity;
    @Autowired RuntimeService runtime;
    @Autowired AuditService audit;
    @Autowired JdbcTemplate jdbc;
    @Autowired ObjectMapper json;
    @Autowired ResizeService resizes;

    private final HttpClient http = HttpClient.newHttpClient();
    FakeLibvirt libvirt;

    @BeforeEach
    void fakeLibvirtAndAnOperator() {
        libvirt = FakeLibvirt.stub(inventory, storage, hypervisor, guestAgent);
        if (identity.createUserQuery().userId(OPERATOR).count() == 0) {
            User user = identity.newUser(OPERATOR);
            user.setPassword(PASSWORD);
            identity.saveUser(user);
            identity.createMembership(OPERATOR, Roles.OPERATORS);
        }
    }

    /** A raw 64 MiB volume used by the shut-off VM {@code name}. */
    String disk(String name) {
        String path = libvirt.volume(name, 64 * MIB);
        libvirt.add(name, VmState.SHUT_OFF, true, libvirt.vdb(path, false, null));
        return path;
    }

    // ---------------------------------------------------------------- wrongly typed variables

    /** A variable as engine-rest takes it: {"value": ..., "type": ...}; a null type is an untyped value. */
    record Var(Object value, String type) {
        static Var of(Object value) {
            return new Var(value, null);
        }

        static Var typed(Object value, String type) {
            return new Var(value, type);
        }

        Map<String, Object> json() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("value", value);
            if (type != null) {
                v.put("type", type);
            }
            return v;
        }

        @Override
        public String toString() {
            String shown = String.valueOf(value);
            return (type == null ? "" : type + " ") + (shown.length() > 20 ? shown.substring(0, 20) + "..." : shown);
        }
    }

    static final Var DATE = Var.typed("2026-01-01T00:00:00.000+0000", "Date");
    static final Var BYTES = Var.typed("AAEC", "Bytes");

    /** field, wrong value, the code the resize ends with */
    static Stream<Arguments> wronglyTypedFields() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : List.of("vm", "target", "pool", "volume", "path", "reason")) {
            for (Var wrong : List.of(Var.typed(5, "Integer"), Var.typed(5L, "Long"), Var.typed(1.5, "Double"),
                    Var.of(true), DATE, BYTES)) {
                cases.add(Arguments.of(name, wrong, "INVALID_REQUEST", name + " must be a string"));
            }
        }
        for (String flag : List.of("notifyGuest", "growFilesystem")) {
            for (Var wrong : List.of(Var.of("yes"), Var.of("1"), Var.typed(1, "Integer"), Var.typed(0.0, "Double"), DATE,
                    BYTES)) {
                cases.add(Arguments.of(flag, wrong, "INVALID_REQUEST", flag + " must be true or false"));
            }
        }
        for (Var wrong : List.of(Var.of(true), Var.typed(-5, "Integer"), Var.typed(-5L, "Long"), Var.of("-5G"),
                Var.of("garbage"), Var.of("1e9"), Var.typed(1.5, "Double"), Var.typed(0, "Integer"), DATE, BYTES,
                Var.of("9".repeat(100)))) {
            cases.add(Arguments.of("size", wrong, "INVALID_SIZE", "size"));
        }
        // whatever else a start takes: no variable but the request's fields
        cases.add(Arguments.of("force", Var.of(true), "INVALID_REQUEST", "unknown field \"force\""));
        cases.add(Arguments.of("approved", Var.of(true), "INVALID_REQUEST", "unknown field \"approved\""));
        cases.add(Arguments.of("noop", Var.of(true), "INVALID_REQUEST", "unknown field \"noop\""));
        cases.add(Arguments.of("initiator", Var.of("someone-else"), "INVALID_REQUEST", "initiator"));
        // texts that cannot be names, and a rejection that must still be recorded
        cases.add(Arguments.of("vm", Var.of("v".repeat(256)), "INVALID_REQUEST", "vm is longer than 255"));
        cases.add(Arguments.of("reason", Var.of("r".repeat(501)), "INVALID_REQUEST", "501 characters"));
        return cases.stream();
    }

    /** The request's other fields, the disk named the way the field under test belongs to. */
    Map<String, Var> requestFor(String field, String name) {
        Map<String, Var> variables = new LinkedHashMap<>();
        switch (field) {
            case "vm", "target" -> {
                disk(name);
                variables.put("vm", Var.of(name));
                variables.put("target", Var.of("vdb"));
            }
            case "pool", "volume" -> {
                disk(name);
                variables.put("pool", Var.of("p"));
                variables.put("volume", Var.of(name + ".img"));
            }
            case "path" -> disk(name);
            default -> variables.put("path", Var.of(disk(name)));
        }
        variables.put("size", Var.of("+16M"));
        return variables;
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("wronglyTypedFields")
    void aStartThroughEngineRestWithAWronglyTypedFieldEndsRejectedAndChangesNothing(String field, Var wrong, String code,
                                                                                     String message) throws Exception {
        String name = "typed" + Integer.toHexString((field + wrong.type() + wrong.value()).hashCode());
        Map<String, Var> variables = requestFor(field, name);
        variables.put(field, wrong);
        long running = runtime.createProcessInstanceQuery().count();

        HttpResponse<String> response = engineRest("/start", variables);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode instance = json.readTree(response.body());
        assertThat(instance.at("/ended").asBoolean()).as("ended in the starting transaction").isTrue();
        String id = instance.at("/id").asText();
        ResizeView resize = resizes.find(id).orElseThrow();
        assertThat(resize.status()).isEqualTo(ResizeStatus.REJECTED);
        assertThat(resize.endedAt()).isNotNull();
        assertThat(resize.error().code()).isEqualTo(code);
        assertThat(resize.error().message()).contains(message);
        assertThat(resize.requestedBy()).isEqualTo(OPERATOR);
        assertNothingChanged(name, running);
        assertThat(audit.forResize(id)).extracting(AuditEvent::type, AuditEvent::user)
                .containsExactly(tuple("RESIZE_REJECTED", OPERATOR));
    }

    void assertNothingChanged(String name, long running) {
        String path = "/pool/" + name + ".img";
        assertThat(runtime.createProcessInstanceQuery().count()).as("instances left running").isEqualTo(running);
        assertThat(jdbc.queryForObject("select count(*) from vdr_disk_lock where disk_path = ?", Integer.class, path))
                .as("locks").isZero();
        assertThat(jdbc.queryForObject("select count(*) from vdr_resize where ended_at is null", Integer.class))
                .as("resizes without an end").isZero();
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
        verify(storage, never()).grow(anyString(), anyString(), eq(name + ".img"), anyLong(), anyBoolean());
    }

    // ---------------------------------------------------------------- what the engine could not store

    /** field, a value the engine cannot take as a variable here, a part of the 400's message */
    static Stream<Arguments> unstorableVariables() {
        Map<String, Object> jsonObject = Map.of("serializationDataFormat", "application/json",
                "objectTypeName", "java.util.HashMap");
        return Stream.of(
                Arguments.of("size", new Var("{\"a\": 1}", "Object"), jsonObject, "the type Object"),
                Arguments.of("vm", new Var("{}", "Json"), null, "the type Json"),
                Arguments.of("path", new Var("<a/>", "Xml"), null, "the type Xml"),
                Arguments.of("reason", new Var("AAEC", "File"), Map.of("filename", "x.txt"), "the type File"),
                Arguments.of("size", Var.of(Map.of("value", 5)), null, "a JSON object or list"),
                Arguments.of("vm", Var.of(List.of("vm1")), null, "a JSON object or list"),
                Arguments.of("reason", Var.of("r".repeat(4001)), null, "longer than 4000"),
                Arguments.of("path", Var.of("/" + "d".repeat(5000)), null, "longer than 4000"),
                Arguments.of("whatever", Var.of("w".repeat(4001)), null, "longer than 4000"));
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("unstorableVariables")
    void aVariableTheEngineCannotStoreIs400AndStartsNothing(String field, Var wrong, Map<String, Object> valueInfo,
                                                            String message) throws Exception {
        String name = "unstorable" + Integer.toHexString((field + wrong.type() + wrong.value()).hashCode());
        Map<String, Var> variables = requestFor(field, name);
        variables.put(field, wrong);
        long running = runtime.createProcessInstanceQuery().count();
        long rows = jdbc.queryForObject("select count(*) from vdr_resize", Long.class);
        for (String action : List.of("/start", "/submit-form")) {
            Map<String, Object> body = new LinkedHashMap<>();
            variables.forEach((n, v) -> body.put(n, v.json()));
            if (valueInfo != null) {
                ((Map<String, Object>) body.get(field)).put("valueInfo", valueInfo);
            }
            HttpResponse<String> response = send(startPath(action), json.writeValueAsString(Map.of("variables", body)));
            assertThat(response.statusCode()).as(action + ": " + response.body()).isEqualTo(400);
            assertThat(json.readTree(response.body()).at("/message").asText()).contains(message);
        }
        assertThat(jdbc.queryForObject("select count(*) from vdr_resize", Long.class)).isEqualTo(rows);
        assertNothingChanged(name, running);
    }

    @Test
    void aStartAtAnotherActivityOrWithoutListenersIs400() throws Exception {
        String path = disk("instructions");
        long running = runtime.createProcessInstanceQuery().count();
        String variables = "\"variables\": {\"path\": {\"value\": \"" + path + "\"}, \"size\": {\"value\": \"+16M\"}}";
        for (String envelope : List.of(
                "\"startInstructions\": [{\"type\": \"startBeforeActivity\", \"activityId\": \"Task_ExtendStorage\"}]",
                "\"startInstructions\": [{\"type\": \"startBeforeActivity\", \"activityId\": \"Task_ValidateRequest\"}],"
                        + " \"skipCustomListeners\": true",
                "\"skipCustomListeners\": true", "\"skipIoMappings\": true")) {
            HttpResponse<String> response = send(startPath("/start"), "{" + variables + ", " + envelope + "}");
            assertThat(response.statusCode()).as(envelope + ": " + response.body()).isEqualTo(400);
        }
        assertNothingChanged("instructions", running);
        // the same body without them starts the resize
        HttpResponse<String> plain = send(startPath("/start"), "{" + variables + ", \"startInstructions\": []}");
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        assertThat(awaitEnd(json.readTree(plain.body()).at("/id").asText()).status()).isEqualTo(ResizeStatus.COMPLETED);
    }

    @Test
    void withoutCredentialsABadStartIs401Not400() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + startPath("/start"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"startInstructions\": [{}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    // ---------------------------------------------------------------- no-op growth

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"+0", "+0M", "+0.0G", "+1B", "+100K"})
    void aGrowthThatRoundsToTheCurrentSizeIsTheNoopThroughRest(String size) throws Exception {
        String path = disk("restnoop" + Integer.toHexString(size.hashCode()));
        HttpResponse<String> response = send("/api/resizes",
                "{\"path\": \"" + path + "\", \"size\": \"" + size + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode resize = json.readTree(response.body());
        assertThat(resize.at("/status").asText()).isEqualTo("COMPLETED");
        assertThat(resize.at("/noop").asBoolean()).isTrue();
        assertThat(resize.at("/newSize").asLong()).isEqualTo(64 * MIB);
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"+0", "+0M", "+1B"})
    void aGrowthThatRoundsToTheCurrentSizeIsTheNoopThroughEngineRest(String size) throws Exception {
        String name = "enginenoop" + Integer.toHexString(size.hashCode());
        long running = runtime.createProcessInstanceQuery().count();
        HttpResponse<String> response = engineRest("/start",
                Map.of("path", Var.of(disk(name)), "size", Var.of(size)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        ResizeView resize = resizes.find(json.readTree(response.body()).at("/id").asText()).orElseThrow();
        assertThat(resize.status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(resize.noop()).isTrue();
        assertNothingChanged(name, running);
    }

    @Test
    void shrinkingAndASizeOfZeroAreStillRefused() throws Exception {
        String path = disk("stillrefused");
        HttpResponse<String> shrink = send("/api/resizes", "{\"path\": \"" + path + "\", \"size\": \"32M\"}");
        assertThat(shrink.statusCode()).isEqualTo(409);
        assertThat(json.readTree(shrink.body()).at("/code").asText()).isEqualTo("SHRINK_NOT_SUPPORTED");
        HttpResponse<String> zero = send("/api/resizes", "{\"path\": \"" + path + "\", \"size\": \"0\"}");
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(json.readTree(zero.body()).at("/code").asText()).isEqualTo("INVALID_SIZE");
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
    }

    // ---------------------------------------------------------------- a block job on the disk

    /** A disk of a running VM on which a block copy runs (what virsh blockcopy starts). */
    String diskUnderBlockCopy(String name) {
        String path = disk(name);
        libvirt.add(name, VmState.RUNNING, true, libvirt.vdb(path, false, null));
        when(hypervisor.blockJob("local", name + "-uuid", "vdb"))
                .thenReturn(Optional.of(new BlockJob(BlockJob.Kind.COPY, 1, 4)));
        return path;
    }

    @Test
    void aDiskUnderABlockJobIsDiskBusyThroughRestAndEngineRestAndNothingChanges() throws Exception {
        String path = diskUnderBlockCopy("blockjobrest");
        long running = runtime.createProcessInstanceQuery().count();
        HttpResponse<String> refused = send("/api/resizes", "{\"path\": \"" + path + "\", \"size\": \"+16M\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        JsonNode problem = json.readTree(refused.body());
        assertThat(problem.at("/code").asText()).isEqualTo("DISK_BUSY");
        assertThat(problem.at("/detail").asText()).contains("a block copy job (25 % done) runs on vdb of VM blockjobrest");
        assertNothingChanged("blockjobrest", running);
        assertThat(audit.query(path, null, null)).extracting(AuditEvent::type).containsExactly("RESIZE_REJECTED");
        verify(hypervisor, never()).blockResize(anyString(), anyString(), anyString(), anyLong());

        diskUnderBlockCopy("blockjobengine");
        ResizeView rejected = resizes.find(json.readTree(engineRest("/start",
                Map.of("vm", Var.of("blockjobengine"), "target", Var.of("vdb"), "size", Var.of("+16M"))).body())
                .at("/id").asText()).orElseThrow();
        assertThat(rejected.status()).isEqualTo(ResizeStatus.REJECTED);
        assertThat(rejected.error().code()).isEqualTo("DISK_BUSY");
        assertThat(rejected.error().message()).contains("a block copy job", "VM blockjobengine");
        assertNothingChanged("blockjobengine", running);
        assertThat(audit.forResize(rejected.id())).extracting(AuditEvent::type).containsExactly("RESIZE_REJECTED");
    }

    // ---------------------------------------------------------------- Tasklist's start form

    /** What Tasklist submits for the start form: every field, an empty string for an untouched text field. */
    Map<String, Var> formSubmission(String path, String size) {
        Map<String, Var> variables = new LinkedHashMap<>();
        for (String text : List.of("vm", "target", "pool", "volume", "reason")) {
            variables.put(text, Var.of(""));
        }
        variables.put("path", Var.of(" " + path + " "));
        variables.put("size", Var.of(size));
        variables.put("notifyGuest", Var.of(true));
        variables.put("growFilesystem", Var.of(false));
        return variables;
    }

    @Test
    void theStartFormsSubmissionGoesThroughTheSameValidator() throws Exception {
        String path = disk("form");
        HttpResponse<String> submitted = engineRest("/submit-form", formSubmission(path, "+16M"));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        String id = json.readTree(submitted.body()).at("/id").asText();
        assertThat(awaitEnd(id).status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(libvirt.capacity(path)).isEqualTo(80 * MIB);

        long running = runtime.createProcessInstanceQuery().count();
        Map<String, Var> twoWays = formSubmission(disk("formtwoways"), "+16M");
        twoWays.put("pool", Var.of("p"));
        ResizeView rejected = resizes.find(json.readTree(engineRest("/submit-form", twoWays).body()).at("/id").asText())
                .orElseThrow();
        assertThat(rejected.status()).isEqualTo(ResizeStatus.REJECTED);
        assertThat(rejected.error().code()).isEqualTo("INVALID_REQUEST");
        assertThat(rejected.error().message()).contains("exactly one way");
        assertNothingChanged("formtwoways", running);

        ResizeView noop = resizes.find(json.readTree(engineRest("/submit-form", formSubmission(disk("formnoop"), "+0"))
                .body()).at("/id").asText()).orElseThrow();
        assertThat(noop.noop()).isTrue();
        assertThat(noop.status()).isEqualTo(ResizeStatus.COMPLETED);
    }

    ResizeView awaitEnd(String id) {
        return await().pollInSameThread().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> resizes.find(id).orElseThrow(), view -> view.status().isFinal());
    }

    HttpResponse<String> engineRest(String action, Map<String, Var> variables) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        variables.forEach((name, v) -> body.put(name, v.json()));
        return send(startPath(action), json.writeValueAsString(Map.of("variables", body)));
    }

    String startPath(String action) {
        return "/engine-rest/engine/" + engine.getName() + "/process-definition/key/virtual-disk-resize" + action;
    }

    HttpResponse<String> send(String path, String body) throws Exception {
        String credentials = Base64.getEncoder().encodeToString((OPERATOR + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").header("Authorization", "Basic " + credentials)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
