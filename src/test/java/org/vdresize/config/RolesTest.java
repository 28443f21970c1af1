package org.vdresize.config;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.when;

import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditService;
import org.vdresize.common.OperationFailedException;
import org.vdresize.common.TransientFailureException;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.VmState;
import org.vdresize.storage.StoragePort;
import org.vdresize.testsupport.FakeLibvirt;
import org.vdresize.vm.HypervisorPort;

/**
 * The four roles end to end, with Camunda's authorization checks on as in application.yml: the
 * real engine, identity service (the demo users the application creates on its empty database),
 * /api, /engine-rest and the webapps' own REST API, on a random port. Only libvirt is faked: every
 * test resizes a disk of its own, so the disk locks of one test never get in another's way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:roles;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1073741824",
        // other test contexts of this JVM run engines too: the URLs below name this one
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class RolesTest {

    static final long MIB = 1L << 20;
    static final String NOBODY = "nobody";

    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;

    @LocalServerPort int port;
    @Autowired ProcessEngine engine;
    @Autowired IdentityService identity;
    @Autowired TaskService tasks;
    @Autowired RuntimeService runtime;
    @Autowired AuditService audit;
    @Autowired ObjectMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    FakeLibvirt libvirt;

    @BeforeEach
    void fakeLibvirt() {
        libvirt = FakeLibvirt.stub(inventory, storage, hypervisor, guestAgent);
        if (identity.createUserQuery().userId(NOBODY).count() == 0) {
            User nobody = identity.newUser(NOBODY);
            nobody.setPassword(NOBODY);
            identity.saveUser(nobody);
        }
    }

    /**
     * A raw 64 MiB volume of its own for one test, used by running VMs of these names; a VM named
     * flaky... is always busy (its step retries), one named refuser... refuses its block resize.
     */
    String disk(String name, String... vms) {
        String path = libvirt.volume(name, 64 * MIB);
        for (String vm : vms) {
            libvirt.add(vm, VmState.RUNNING, true, libvirt.vdb(path, vms.length > 1, null));
            if (vm.startsWith("flaky")) {
                libvirt.failBlockResize(vm, new TransientFailureException("the VM is busy"));
            }
            if (vm.startsWith("refuser")) {
                libvirt.failBlockResize(vm, new OperationFailedException("block resize refused"));
            }
        }
        return path;
    }

    // ---------------------------------------------------------------- /api

    @Test
    void anOperatorStartsAResize() throws Exception {
        HttpResponse<String> response = api("operator", post("/api/resizes", body(disk("op"), "+16M")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode resize = json.readTree(response.body());
        assertThat(resize.at("/requestedBy").asText()).isEqualTo("operator");
        assertThat(awaitStatus("operator", resize.at("/id").asText(), "COMPLETED").at("/newSize").asLong())
                .isEqualTo(80 * MIB);
    }

    @Test
    void auditorsAndApproversMayNotStartOne() throws Exception {
        String path = disk("not-started");
        long instances = runtime.createProcessInstanceQuery().count();
        for (String user : List.of("auditor", "approver", NOBODY)) {
            HttpResponse<String> response = api(user, post("/api/resizes", body(path, "+16M")));
            assertThat(response.statusCode()).as(user).isEqualTo(403);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json.readTree(response.body()).at("/code").asText()).isEqualTo("FORBIDDEN");
        }
        assertThat(runtime.createProcessInstanceQuery().count()).isEqualTo(instances);
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
    }

    @Test
    void anOperatorTheEngineRefusesGets403Too() throws Exception {
        String user = "revokedop";
        if (identity.createUserQuery().userId(user).count() == 0) {
            User revoked = identity.newUser(user);
            revoked.setPassword(user);
            identity.saveUser(revoked);
            identity.createMembership(user, Roles.OPERATORS);
        }
        AuthorizationService authorizations = engine.getAuthorizationService();
        Authorization revoke = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_REVOKE);
        revoke.setUserId(user);
        revoke.setResource(Resources.PROCESS_DEFINITION);
        revoke.setResourceId("virtual-disk-resize");
        revoke.removePermission(ProcessDefinitionPermissions.CREATE_INSTANCE);
        revoke = authorizations.saveAuthorization(revoke);
        String path = disk("revoked");
        try {
            HttpResponse<String> response = api(user, post("/api/resizes", body(path, "+16M")));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json.readTree(response.body()).at("/code").asText()).isEqualTo("FORBIDDEN");
            assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(path).count()).isZero();
        } finally {
            authorizations.deleteAuthorization(revoke.getId());
        }
    }

    @Test
    void everyRoleReadsResizesDisksAndTheAuditTrail() throws Exception {
        String path = disk("read");
        String id = json.readTree(api("operator", post("/api/resizes", body(path, "+16M"))).body()).at("/id").asText();
        awaitStatus("operator", id, "COMPLETED");

        for (String user : List.of("auditor", "approver", "operator", "demo")) {
            for (String read : List.of("/api/resizes", "/api/resizes?status=COMPLETED", "/api/resizes/" + id,
                    "/api/disks", "/api/audit", "/api/hosts")) {
                assertThat(api(user, get(read)).statusCode()).as(user + " GET " + read).isEqualTo(200);
            }
            assertThat(api(user, get("/api/audit").header("Accept", "text/csv")).statusCode()).isEqualTo(200);
            // the steps are vdresize's own rows: every role that reads resizes sees them, whatever its engine grants
            JsonNode resize = json.readTree(api(user, get("/api/resizes/" + id)).body());
            assertThat(resize.at("/steps").size()).as(user).isGreaterThan(3);
        }
    }

    @Test
    void aReaderWithoutEngineGrantsOnInstancesStillSeesRetryingSteps() throws Exception {
        String id = json.readTree(api("operator", post("/api/resizes", body(disk("flaky", "flaky"), "+16M"))).body())
                .at("/id").asText();
        // approvers may not read process instances or their jobs in the engine; the API reads them anyway
        await().pollInSameThread().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode resize = json.readTree(api("approver", get("/api/resizes/" + id)).body());
            assertThat(resize.at("/steps").findValuesAsText("status")).as(resize.toString()).contains("RETRYING");
        });
        as("approver", () -> assertThat(engine.getManagementService().createJobQuery().processInstanceId(id).count())
                .as("the engine itself hides the job from an approver").isZero());
        runtime.deleteProcessInstance(id, "test cleanup");
    }

    @Test
    void aUserInNoRoleGroupMayDoNothing() throws Exception {
        for (String read : List.of("/api/resizes", "/api/disks", "/api/audit")) {
            HttpResponse<String> response = api(NOBODY, get(read));
            assertThat(response.statusCode()).as(read).isEqualTo(403);
            assertThat(json.readTree(response.body()).at("/code").asText()).isEqualTo("FORBIDDEN");
        }
    }

    @Test
    void onlyAuditorsAndAdministratorsVerifyTheAuditTrail() throws Exception {
        String id = json.readTree(api("operator", post("/api/resizes", body(disk("verified"), "+16M"))).body())
                .at("/id").asText();
        awaitStatus("operator", id, "COMPLETED");
        for (String user : List.of("auditor", "demo")) {
            HttpResponse<String> response = api(user, get("/api/audit/verify"));
            assertThat(response.statusCode()).as(user + ": " + response.body()).isEqualTo(200);
            JsonNode result = json.readTree(response.body());
            assertThat(result.at("/status").asText()).as(response.body()).isEqualTo("INTACT");
            assertThat(result.at("/entries").asLong()).isGreaterThanOrEqualTo(audit.forResize(id).size());
            assertThat(result.has("firstBrokenEntry")).isFalse();
        }
        // it reads the whole trail: not for the roles that do not check it
        for (String user : List.of("operator", "approver", NOBODY)) {
            HttpResponse<String> response = api(user, get("/api/audit/verify"));
            assertThat(response.statusCode()).as(user).isEqualTo(403);
            assertThat(json.readTree(response.body()).at("/code").asText()).isEqualTo("FORBIDDEN");
        }
        assertThat(http.send(get("/api/audit/verify").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void everyRoleFollowsTheNextLinksOfTheListsAndNobodyLearnsEvenWhetherAParameterIsBad() throws Exception {
        for (String name : List.of("page-1", "page-2")) {
            String id = json.readTree(api("operator", post("/api/resizes", body(disk(name), "+16M"))).body()).at("/id").asText();
            awaitStatus("operator", id, "COMPLETED");
        }
        for (String user : List.of("auditor", "approver", "operator", "demo")) {
            for (String list : List.of("/api/resizes?status=COMPLETED&limit=1", "/api/disks?limit=1",
                    "/api/audit?type=RESIZE_COMPLETED&limit=1")) {
                HttpResponse<String> first = api(user, get(list));
                assertThat(first.statusCode()).as(user + " GET " + list).isEqualTo(200);
                String link = first.headers().firstValue("Link").orElseThrow();
                String next = link.substring(link.indexOf('<') + 1, link.indexOf('>'));
                HttpResponse<String> second = api(user, get(next));
                assertThat(second.statusCode()).as(user + " GET " + next).isEqualTo(200);
                assertThat(json.readTree(second.body()).get(0)).isNotEqualTo(json.readTree(first.body()).get(0));
            }
            assertThat(api(user, get("/api/resizes?limit=0")).statusCode()).isEqualTo(400);
        }
        for (String read : List.of("/api/resizes?vm=x&limit=1", "/api/resizes?limit=0", "/api/disks?cursor=bad",
                "/api/audit?type=bogus", "/api/audit?resizeId=x&limit=1")) {
            assertThat(api(NOBODY, get(read)).statusCode()).as(read).isEqualTo(403);
        }
    }

    @Test
    void otherMethodsAreForAdministratorsWhoStillGetTheHonestAnswer() throws Exception {
        for (String user : List.of("operator", "approver", "auditor")) {
            assertThat(api(user, HttpRequest.newBuilder(uri("/api/resizes/x")).DELETE()).statusCode()).as(user)
                    .isEqualTo(403);
        }
        assertThat(api("demo", HttpRequest.newBuilder(uri("/api/resizes/x")).DELETE()).statusCode()).isEqualTo(405);
        assertThat(api("demo", post("/api/resizes", body(disk("admin"), "+16M"))).statusCode()).isEqualTo(202);
    }

    // ---------------------------------------------------------------- /engine-rest

    @Test
    void engineRestStartsAreCheckedByCamunda() throws Exception {
        String path = disk("engine-rest");
        String start = "/engine-rest/engine/" + engine.getName() + "/process-definition/key/virtual-disk-resize/start";
        String variables = "{\"variables\": {\"path\": {\"value\": \"" + path + "\"}, \"size\": {\"value\": \"+16M\"}}}";

        HttpResponse<String> auditor = api("auditor", post(start, variables));
        assertThat(auditor.statusCode()).as(auditor.body()).isEqualTo(403);
        assertThat(auditor.body()).contains("AuthorizationException");
        assertThat(api("approver", post(start, variables)).statusCode()).isEqualTo(403);

        HttpResponse<String> operator = api("operator", post(start, variables));
        assertThat(operator.statusCode()).as(operator.body()).isEqualTo(200);
        String id = json.readTree(operator.body()).at("/id").asText();
        JsonNode done = awaitStatus("auditor", id, "COMPLETED");
        assertThat(done.at("/requestedBy").asText()).isEqualTo("operator");

        // reading what the engine lets each role read
        String definitions = "/engine-rest/engine/" + engine.getName() + "/process-definition?key=virtual-disk-resize";
        assertThat(json.readTree(api("auditor", get(definitions)).body()).size()).isOne();
        assertThat(json.readTree(api(NOBODY, get(definitions)).body()).size()).isZero();
    }

    // ---------------------------------------------------------------- tasks

    @Test
    void approversDecideApprovalsOthersCannot() throws Exception {
        HttpResponse<String> started = api("operator", post("/api/resizes", body(disk("approval"), "+2G")));
        JsonNode resize = json.readTree(started.body());
        assertThat(resize.at("/status").asText()).as(started.body()).isEqualTo("WAITING_FOR_APPROVAL");
        String id = resize.at("/id").asText();
        Task task = tasks.createTaskQuery().processInstanceId(id).singleResult();
        assertThat(task.getTaskDefinitionKey()).isEqualTo("UserTask_ApproveResize");

        as("auditor", () -> {
            assertThat(tasks.createTaskQuery().processInstanceId(id).count()).isZero();
            assertThatThrownBy(() -> tasks.complete(task.getId(), Map.of("approved", true)))
                    .isInstanceOf(AuthorizationException.class);
        });
        as("operator", () -> {
            assertThat(tasks.createTaskQuery().processInstanceId(id).count()).isZero();
            assertThatThrownBy(() -> tasks.complete(task.getId(), Map.of("approved", true)))
                    .isInstanceOf(AuthorizationException.class);
        });
        as("approver", () -> {
            assertThat(tasks.createTaskQuery().processInstanceId(id).count()).isOne();
            // TASK_WORK, not UPDATE: an approver cannot hand the decision to another group
            assertThatThrownBy(() -> tasks.addCandidateGroup(task.getId(), Roles.OPERATORS))
                    .isInstanceOf(AuthorizationException.class);
            tasks.claim(task.getId(), "approver");
            tasks.complete(task.getId(), Map.of("approved", true, "approvalComment", "room in the pool"));
        });

        assertThat(awaitStatus("auditor", id, "COMPLETED").at("/newSize").asLong()).isEqualTo(64 * MIB + (2L << 30));
        AuditEvent approval = audit.forResize(id).stream().filter(e -> e.type().equals("RESIZE_APPROVED"))
                .findFirst().orElseThrow();
        assertThat(approval.user()).isEqualTo("approver");
    }

    /** A user in both disk-operators and disk-approvers: the one the four-eyes rule is about. */
    static final String OPPROVER = "opprover";

    void opprover() {
        if (identity.createUserQuery().userId(OPPROVER).count() == 0) {
            User user = identity.newUser(OPPROVER);
            user.setPassword(OPPROVER);
            identity.saveUser(user);
            identity.createMembership(OPPROVER, Roles.OPERATORS);
            identity.createMembership(OPPROVER, Roles.APPROVERS);
        }
    }

    String engineRest(String path) {
        return "/engine-rest/engine/" + engine.getName() + path;
    }

    /** The requester's attempts through engine-rest: each a 403 that says why, and nothing changed. */
    void refusedThroughEngineRest(String requester, String id, String path) throws Exception {
        String taskId = tasks.createTaskQuery().processInstanceId(id).singleResult().getId();
        String decision = "{\"variables\": {\"approved\": {\"value\": true, \"type\": \"Boolean\"}}}";
        for (HttpRequest.Builder attempt : List.of(
                post(engineRest("/task/" + taskId + "/claim"), "{\"userId\": \"" + requester + "\"}"),
                post(engineRest("/task/" + taskId + "/complete"), decision),
                post(engineRest("/task/" + taskId + "/submit-form"), decision))) {
            HttpResponse<String> response = api(requester, attempt);
            assertThat(response.statusCode()).as(requester + ": " + response.body()).isEqualTo(403);
            JsonNode error = json.readTree(response.body());
            assertThat(error.at("/type").asText()).isEqualTo("AuthorizationException");
            assertThat(error.at("/message").asText()).contains("four eyes", requester + " requested resize " + id);
        }
        // the task is open and unclaimed for another approver; the resize waits, the disk is untouched
        Task task = tasks.createTaskQuery().processInstanceId(id).singleResult();
        assertThat(task.getId()).isEqualTo(taskId);
        assertThat(task.getAssignee()).isNull();
        assertThat(runtime.getVariable(id, "approved")).isNull();
        assertThat(json.readTree(api("auditor", get("/api/resizes/" + id)).body()).at("/status").asText())
                .isEqualTo("WAITING_FOR_APPROVAL");
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
        assertThat(audit.forResize(id)).extracting(AuditEvent::type).containsExactly("RESIZE_REQUESTED");
    }

    @Test
    void theRequesterCannotApproveThroughEngineRestWhateverTheirGroupsAnotherApproverCan() throws Exception {
        opprover();
        String path = disk("four-eyes-rest");
        String id = json.readTree(api(OPPROVER, post("/api/resizes", body(path, "+2G"))).body()).at("/id").asText();
        awaitStatus("auditor", id, "WAITING_FOR_APPROVAL");

        refusedThroughEngineRest(OPPROVER, id, path);

        String taskId = tasks.createTaskQuery().processInstanceId(id).singleResult().getId();
        HttpResponse<String> approved = api("approver", post(engineRest("/task/" + taskId + "/complete"),
                "{\"variables\": {\"approved\": {\"value\": true}, \"approvalComment\": {\"value\": \"second pair of eyes\"}}}"));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(204);
        assertThat(awaitStatus("auditor", id, "COMPLETED").at("/newSize").asLong()).isEqualTo(64 * MIB + (2L << 30));
        AuditEvent approval = audit.forResize(id).stream().filter(e -> e.type().equals("RESIZE_APPROVED"))
                .findFirst().orElseThrow();
        assertThat(approval.user()).isEqualTo("approver");
        assertThat(approval.detail()).contains("approved by approver", "second pair of eyes");
    }

    @Test
    void anAdministratorCannotApproveTheirOwnResizeNorNameSomeoneElseAsRequester() throws Exception {
        String path = disk("four-eyes-admin");
        // an engine-rest start whose variables name another initiator: no request field, so it ends REJECTED
        // (api-contract.md, "Every way in, one contract"), and under who started it, not the named one
        String start = engineRest("/process-definition/key/virtual-disk-resize/start");
        HttpResponse<String> forged = api("demo", post(start, "{\"variables\": {\"path\": {\"value\": \"" + path
                + "\"}, \"size\": {\"value\": \"+2G\"}, \"initiator\": {\"value\": \"approver\"}}}"));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(200);
        JsonNode refused = awaitStatus("auditor", json.readTree(forged.body()).at("/id").asText(), "REJECTED");
        assertThat(refused.at("/requestedBy").asText()).isEqualTo("demo");
        assertThat(refused.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");

        HttpResponse<String> started = api("demo", post(start, "{\"variables\": {\"path\": {\"value\": \"" + path
                + "\"}, \"size\": {\"value\": \"+2G\"}}}"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        String id = json.readTree(started.body()).at("/id").asText();
        assertThat(awaitStatus("auditor", id, "WAITING_FOR_APPROVAL").at("/requestedBy").asText()).isEqualTo("demo");

        refusedThroughEngineRest("demo", id, path);

        as("approver", () -> tasks.complete(tasks.createTaskQuery().processInstanceId(id).singleResult().getId(),
                Map.of("approved", false, "approvalComment", "not on that pool")));
        assertThat(awaitFinal("auditor", id).at("/status").asText()).isEqualTo("REJECTED");
        assertThat(audit.forResize(id)).filteredOn(e -> e.type().equals("RESIZE_REJECTED")).extracting(AuditEvent::user)
                .containsExactly("approver");
    }

    @Test
    void theJavaApiIsHeldToTheSameRuleAndNeedsAnAuthenticatedApprover() throws Exception {
        opprover();
        String path = disk("four-eyes-java");
        String id = json.readTree(api(OPPROVER, post("/api/resizes", body(path, "+2G"))).body()).at("/id").asText();
        awaitStatus("auditor", id, "WAITING_FOR_APPROVAL");
        String taskId = tasks.createTaskQuery().processInstanceId(id).singleResult().getId();

        as(OPPROVER, () -> {
            assertThatThrownBy(() -> tasks.claim(taskId, OPPROVER)).isInstanceOf(AuthorizationException.class)
                    .hasMessageContaining("four eyes");
            assertThatThrownBy(() -> tasks.complete(taskId, Map.of("approved", true)))
                    .isInstanceOf(AuthorizationException.class).hasMessageContaining("four eyes");
        });
        // nobody authenticated: the engine skips its own checks, so the rule itself refuses an anonymous approval
        assertThatThrownBy(() -> tasks.complete(taskId, Map.of("approved", true))).isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("needs an authenticated user");
        // an administrator may not hand the task to the requester either
        as("demo", () -> assertThatThrownBy(() -> tasks.setAssignee(taskId, OPPROVER))
                .isInstanceOf(AuthorizationException.class).hasMessageContaining("four eyes"));
        assertThat(tasks.createTaskQuery().taskId(taskId).singleResult().getAssignee()).isNull();
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
        assertThat(audit.forResize(id)).extracting(AuditEvent::type).containsExactly("RESIZE_REQUESTED");

        as("approver", () -> tasks.complete(taskId, Map.of("approved", true)));
        awaitStatus("auditor", id, "COMPLETED");
        assertThat(audit.forResize(id)).filteredOn(e -> e.type().equals("RESIZE_APPROVED")).extracting(AuditEvent::user)
                .containsExactly("approver");
    }

    @Test
    void operatorsResolveResizesThatNeedAttentionApproversCannot() throws Exception {
        String id = json.readTree(api("operator", post("/api/resizes", body(disk("attention", "good", "refuser"), "+16M")))
                .body()).at("/id").asText();
        awaitStatus("auditor", id, "NEEDS_ATTENTION");
        Task task = tasks.createTaskQuery().processInstanceId(id).singleResult();
        assertThat(task.getTaskDefinitionKey()).isEqualTo("UserTask_ResolveVmFailure");

        as("approver", () -> assertThatThrownBy(() -> tasks.complete(task.getId(), Map.of("operatorDecision", "FINISH")))
                .isInstanceOf(AuthorizationException.class));
        as("operator", () -> tasks.complete(task.getId(), Map.of("operatorDecision", "FINISH",
                "resolutionComment", "refuser is being replaced")));

        JsonNode done = awaitFinal("auditor", id);
        assertThat(done.at("/status").asText()).isIn("COMPLETED", "FAILED");
        assertThat(audit.forResize(id)).filteredOn(e -> e.type().equals("OPERATOR_DECISION"))
                .extracting(AuditEvent::user).containsExactly("operator");
    }

    // ---------------------------------------------------------------- webapps

    @Test
    void eachRoleLogsIntoItsWebappsOnly() throws Exception {
        Map<String, List<String>> apps = Map.of("operator", List.of("tasklist", "cockpit"), "approver", List.of("tasklist"),
                "auditor", List.of("cockpit"), "demo", List.of("tasklist", "cockpit", "admin"));
        for (Map.Entry<String, List<String>> user : apps.entrySet()) {
            for (String app : List.of("tasklist", "cockpit", "admin")) {
                int status = new Webapp().login(user.getKey(), app).statusCode();
                assertThat(status).as(user.getKey() + " in " + app).isEqualTo(user.getValue().contains(app) ? 200 : 403);
            }
        }
    }

    @Test
    void anOperatorStartsAResizeFromTasklistsStartForm() throws Exception {
        String path = disk("start-form");
        Webapp tasklist = new Webapp();
        assertThat(tasklist.login("operator", "tasklist").statusCode()).isEqualTo(200);

        // what Tasklist asks for its "Start process" list and the Camunda Form
        JsonNode startable = tasklist.getJson("/process-definition?latest=true&active=true&startableInTasklist=true"
                + "&startablePermissionCheck=true&firstResult=0&maxResults=15");
        assertThat(startable.findValuesAsText("key")).containsExactly("virtual-disk-resize");
        String definition = startable.get(0).get("id").asText();
        assertThat(tasklist.get("/process-definition/" + definition + "/startForm").statusCode()).isEqualTo(200);
        assertThat(tasklist.get("/process-definition/" + definition + "/deployed-start-form").statusCode()).isEqualTo(200);
        assertThat(tasklist.get("/process-definition/" + definition + "/form-variables").statusCode()).isEqualTo(200);
        assertThat(tasklist.get("/process-definition/" + definition + "/xml").statusCode()).isEqualTo(200);

        HttpResponse<String> submitted = tasklist.post("/process-definition/" + definition + "/submit-form",
                "{\"variables\": {\"path\": {\"value\": \"" + path + "\"}, \"size\": {\"value\": \"+16M\"}}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        String id = json.readTree(submitted.body()).at("/id").asText();
        assertThat(awaitStatus("operator", id, "COMPLETED").at("/requestedBy").asText()).isEqualTo("operator");

        // an approver sees the process (task diagrams) but may not start it
        Webapp approver = new Webapp();
        approver.login("approver", "tasklist");
        assertThat(approver.getJson("/process-definition?latest=true&startableInTasklist=true"
                + "&startablePermissionCheck=true")).isEmpty();
        assertThat(approver.post("/process-definition/" + definition + "/submit-form",
                "{\"variables\": {\"path\": {\"value\": \"" + path + "\"}, \"size\": {\"value\": \"+16M\"}}}")
                .statusCode()).isEqualTo(403);
    }

    @Test
    void anApproverSeesAndSubmitsTheApprovalInTasklist() throws Exception {
        String id = json.readTree(api("operator", post("/api/resizes", body(disk("tasklist-approval"), "+2G"))).body())
                .at("/id").asText();
        Webapp tasklist = new Webapp();
        assertThat(tasklist.login("approver", "tasklist").statusCode()).isEqualTo(200);

        JsonNode filters = tasklist.getJson("/filter?resourceType=Task&itemCount=true");
        assertThat(filters.findValuesAsText("name")).containsExactly(Roles.TASK_FILTER_NAME);
        JsonNode listed = tasklist.postJson("/filter/" + filters.get(0).get("id").asText() + "/list?firstResult=0&maxResults=15",
                "{}");
        JsonNode task = null;
        for (JsonNode t : listed) {
            if (t.get("processInstanceId").asText().equals(id)) {
                task = t;
            }
        }
        assertThat(task).as(listed.toString()).isNotNull();
        String taskId = task.get("id").asText();
        assertThat(tasklist.get("/task/" + taskId + "/deployed-form").statusCode()).isEqualTo(200);
        assertThat(tasklist.get("/task/" + taskId + "/form-variables").statusCode()).isEqualTo(200);
        assertThat(tasklist.get("/history/user-operation?taskId=" + taskId).statusCode()).isEqualTo(200);
        assertThat(tasklist.post("/task/" + taskId + "/claim", "{\"userId\": \"approver\"}").statusCode()).isEqualTo(204);
        HttpResponse<String> submitted = tasklist.post("/task/" + taskId + "/submit-form",
                "{\"variables\": {\"approved\": {\"value\": false}, \"approvalComment\": {\"value\": \"use a new disk\"}}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isIn(200, 204);
        assertThat(awaitFinal("auditor", id).at("/status").asText()).isEqualTo("REJECTED");

        // the operator's Tasklist shows no approval task
        Webapp operator = new Webapp();
        operator.login("operator", "tasklist");
        JsonNode operatorFilters = operator.getJson("/filter?resourceType=Task");
        assertThat(operatorFilters.findValuesAsText("name")).containsExactly(Roles.TASK_FILTER_NAME);
    }

    @Test
    void tasklistTellsTheRequesterWhyTheirOwnApprovalIsRefused() throws Exception {
        opprover();
        String path = disk("four-eyes-tasklist");
        String id = json.readTree(api(OPPROVER, post("/api/resizes", body(path, "+2G"))).body()).at("/id").asText();
        awaitStatus("auditor", id, "WAITING_FOR_APPROVAL");
        Webapp tasklist = new Webapp();
        assertThat(tasklist.login(OPPROVER, "tasklist").statusCode()).isEqualTo(200);
        String taskId = tasks.createTaskQuery().processInstanceId(id).singleResult().getId();
        // the requester is an approver too: Tasklist lists the task and its form (and sets the CSRF cookie)
        assertThat(tasklist.get("/task/" + taskId + "/deployed-form").statusCode()).isEqualTo(200);

        // Tasklist shows the answer's message when a claim or a form submission fails
        HttpResponse<String> claimed = tasklist.post("/task/" + taskId + "/claim", "{\"userId\": \"" + OPPROVER + "\"}");
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(403);
        assertThat(json.readTree(claimed.body()).at("/message").asText()).as(claimed.body()).contains("four eyes", "another member of disk-approvers");
        HttpResponse<String> submitted = tasklist.post("/task/" + taskId + "/submit-form",
                "{\"variables\": {\"approved\": {\"value\": true}, \"approvalComment\": {\"value\": \"mine\"}}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(403);
        assertThat(json.readTree(submitted.body()).at("/message").asText()).contains("four eyes");
        assertThat(tasks.createTaskQuery().processInstanceId(id).singleResult().getAssignee()).isNull();
        assertThat(libvirt.capacity(path)).isEqualTo(64 * MIB);
        runtime.deleteProcessInstance(id, "test cleanup");
    }

    @Test
    void anAuditorReadsInCockpitAndChangesNothing() throws Exception {
        HttpResponse<String> started = api("operator", post("/api/resizes", body(disk("cockpit"), "+2G")));
        String id = json.readTree(started.body()).at("/id").asText();
        Webapp cockpit = new Webapp();
        assertThat(cockpit.login("auditor", "cockpit").statusCode()).isEqualTo(200);

        assertThat(cockpit.getJson("/process-definition/statistics?rootIncidents=true").findValuesAsText("key"))
                .contains("virtual-disk-resize");
        assertThat(cockpit.getJson("/process-instance?processDefinitionKey=virtual-disk-resize")
                .findValuesAsText("id")).contains(id);
        assertThat(cockpit.get("/process-instance/" + id + "/activity-instances").statusCode()).isEqualTo(200);
        assertThat(cockpit.get("/process-instance/" + id + "/variables").statusCode()).isEqualTo(200);
        assertThat(cockpit.postJson("/history/process-instance", "{\"processDefinitionKey\": \"virtual-disk-resize\"}")
                .findValuesAsText("id")).contains(id);
        assertThat(cockpit.get("/history/activity-instance?processInstanceId=" + id).statusCode()).isEqualTo(200);
        assertThat(cockpit.get("/incident?processInstanceId=" + id).statusCode()).isEqualTo(200);
        assertThat(cockpit.get("/job?processInstanceId=" + id).statusCode()).isEqualTo(200);
        String definition = runtime.createProcessInstanceQuery().processInstanceId(id).singleResult().getProcessDefinitionId();
        assertThat(cockpit.get("/process-definition/" + definition + "/xml").statusCode()).isEqualTo(200);
        // Cockpit's own plugin queries (dashboard, process definition page) check the same grants
        String plugin = "/camunda/api/cockpit/plugin/base/" + engine.getName();
        HttpResponse<String> statistics = cockpit.send(HttpRequest.newBuilder(uri(plugin + "/process-definition/statistics"))
                .header("Accept", "application/json").GET());
        assertThat(json.readTree(statistics.body()).findValuesAsText("key")).as(statistics.body()).contains("virtual-disk-resize");
        HttpResponse<String> instances = cockpit.send(HttpRequest.newBuilder(uri(plugin + "/process-instance?firstResult=0&maxResults=50"))
                .header("Accept", "application/json").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"processDefinitionId\": \"" + definition + "\"}")));
        assertThat(json.readTree(instances.body()).findValuesAsText("id")).as(instances.body()).contains(id);

        // read-only: no cancel, no variable change, no task work
        assertThat(cockpit.send(cockpit.request("/process-instance/" + id).DELETE()).statusCode()).isEqualTo(403);
        assertThat(cockpit.post("/process-instance/" + id + "/variables",
                "{\"modifications\": {\"approved\": {\"value\": true}}}").statusCode()).isEqualTo(403);
        assertThat(cockpit.post("/process-instance/" + id + "/suspended", "{\"suspended\": true}").statusCode())
                .isIn(403, 405);
        assertThat(runtime.createProcessInstanceQuery().processInstanceId(id).active().count()).isOne();
        runtime.deleteProcessInstance(id, "test cleanup");
    }

    @Test
    void aWebappSessionReadsTheApiWithItsUsersRightsAndNeverWrites() throws Exception {
        String path = disk("plugin");
        HttpResponse<String> started = api("operator", post("/api/resizes", body(path, "+2G")));
        String id = json.readTree(started.body()).at("/id").asText();
        Webapp cockpit = new Webapp();
        assertThat(cockpit.login("auditor", "cockpit").statusCode()).isEqualTo(200);
        // the login starts a new session; Cockpit's page, loaded next, gives it its CSRF token
        assertThat(cockpit.send(get("/camunda/app/cockpit/" + engine.getName() + "/")).statusCode()).isEqualTo(200);

        // reads with the session and its CSRF token, with the auditor's rights
        String session = cockpit.sessionId();
        HttpResponse<String> read = cockpit.send(get("/api/resizes/" + id));
        assertThat(read.statusCode()).isEqualTo(200);
        // and the session keeps its id: a new one would log out Cockpit's own requests still under way
        assertThat(read.headers().allValues("Set-Cookie")).noneMatch(cookie -> cookie.startsWith("JSESSIONID="));
        assertThat(cockpit.sessionId()).isEqualTo(session);
        assertThat(cockpit.send(get("/api/stats/resizes")).statusCode()).isEqualTo(200);
        assertThat(cockpit.send(get("/api/audit?resizeId=" + id)).statusCode()).isEqualTo(200);
        assertThat(cockpit.send(get("/api/audit/verify")).statusCode()).isEqualTo(200);
        // the cookie without the token is no login (a page of another site can make the browser send it)
        assertThat(cockpit.browser.send(get("/api/resizes/" + id).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
        // never a write, not even for an operator's session
        assertThat(cockpit.send(post("/api/resizes", body(path, "+1G"))).statusCode()).isEqualTo(401);
        Webapp operator = new Webapp();
        assertThat(operator.login("operator", "cockpit").statusCode()).isEqualTo(200);
        // the login starts a new session; Cockpit's page, loaded next, gives it its CSRF token
        assertThat(operator.send(get("/camunda/app/cockpit/" + engine.getName() + "/")).statusCode()).isEqualTo(200);
        assertThat(operator.send(get("/api/resizes/" + id)).statusCode()).isEqualTo(200);
        assertThat(operator.send(get("/api/audit/verify")).statusCode()).isEqualTo(403);
        assertThat(operator.send(post("/api/resizes", body(path, "+1G"))).statusCode()).isEqualTo(401);
        assertThat(api("auditor", get("/api/resizes?disk=" + URLEncoder.encode(path, StandardCharsets.UTF_8))).body())
                .doesNotContain("+1G");

        // logged out: the session reads nothing any more
        cockpit.send(HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/" + engine.getName() + "/logout"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(cockpit.send(get("/api/resizes/" + id)).statusCode()).isEqualTo(401);
        runtime.deleteProcessInstance(id, "test cleanup");
    }

    // ---------------------------------------------------------------- helpers

    /** Runs engine calls as the user with its groups, as the webapps and the REST filters do. */
    void as(String user, Runnable calls) {
        List<String> groups = identity.createGroupQuery().groupMember(user).list().stream().map(Group::getId).toList();
        identity.setAuthentication(user, groups);
        try {
            calls.run();
        } finally {
            identity.clearAuthentication();
        }
    }

    static String body(String path, String size) {
        return "{\"path\": \"" + path + "\", \"size\": \"" + size + "\"}";
    }

    JsonNode awaitStatus(String user, String id, String status) {
        return await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> json.readTree(api(user, get("/api/resizes/" + id)).body()),
                        resize -> resize.at("/status").asText().equals(status));
    }

    /** The resize once its status is final (never NEEDS_ATTENTION, which an operator resolves). */
    JsonNode awaitFinal(String user, String id) {
        return await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> json.readTree(api(user, get("/api/resizes/" + id)).body()),
                        resize -> !List.of("RUNNING", "WAITING_FOR_APPROVAL", "NEEDS_ATTENTION")
                                .contains(resize.at("/status").asText()));
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** The user's password is its name (the demo users, and {@link #NOBODY}). */
    HttpResponse<String> api(String user, HttpRequest.Builder request) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
        return http.send(request.header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A browser session of the webapps: their session cookie and CSRF token, their engine REST API. */
    final class Webapp {

        private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        private final HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();

        HttpResponse<String> login(String user, String app) throws IOException, InterruptedException {
            send(HttpRequest.newBuilder(uri("/camunda/app/" + app + "/" + engine.getName() + "/")).GET());
            return send(HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/" + engine.getName() + "/login/" + app))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password="
                            + URLEncoder.encode(user, StandardCharsets.UTF_8))));
        }

        HttpRequest.Builder request(String enginePath) {
            return HttpRequest.newBuilder(uri("/camunda/api/engine/engine/" + engine.getName() + enginePath))
                    .header("Accept", "application/json");
        }

        HttpResponse<String> get(String enginePath) throws IOException, InterruptedException {
            return send(request(enginePath).GET());
        }

        JsonNode getJson(String enginePath) throws IOException, InterruptedException {
            HttpResponse<String> response = get(enginePath);
            assertThat(response.statusCode()).as(enginePath + ": " + response.body()).isEqualTo(200);
            return json.readTree(response.body());
        }

        HttpResponse<String> post(String enginePath, String body) throws IOException, InterruptedException {
            return send(request(enginePath).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        JsonNode postJson(String enginePath, String body) throws IOException, InterruptedException {
            HttpResponse<String> response = post(enginePath, body);
            assertThat(response.statusCode()).as(enginePath + ": " + response.body()).isEqualTo(200);
            return json.readTree(response.body());
        }

        String sessionId() {
            return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                    .map(HttpCookie::getValue).findFirst().orElseThrow();
        }

        /** Sends with the CSRF token the webapps' JavaScript would send (the cookie's value as a header). */
        HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                    .map(HttpCookie::getValue).findFirst().ifPresent(token -> request.header("X-XSRF-TOKEN", token));
            return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
