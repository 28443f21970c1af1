package org.vdresize.resize;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditService;
import org.vdresize.config.Roles;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.storage.StoragePort;
import org.vdresize.testsupport.FakeLibvirt;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.vm.HypervisorPort;

/**
 * vdresize.approval.four-eyes=false: the requester may approve their own resize, and the start of
 * the application said so in the audit trail. The fake libvirt holds a floating volume (no
 * VM): the approval is what this is about. Its own context, as the setting is.
 */
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:four-eyes-off;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // as ResizeFlowTest: no random admin password file
        "vdresize.storage.poll-interval=PT0.2S",
        "vdresize.approval.growth-bytes=1073741824",
        "vdresize.approval.four-eyes=false",
        "camunda.bpm.generate-unique-process-engine-name=true",
        "camunda.bpm.generate-unique-process-application-name=true"})
class FourEyesOffTest {

    static final long MIB = 1L << 20;
    static final String PATH = "/pool/d.img";

    @MockitoBean InventoryPort inventory;
    @MockitoBean StoragePort storage;
    @MockitoBean HypervisorPort hypervisor;
    @MockitoBean GuestAgentPort guestAgent;
    @Autowired ResizeService resizes;
    @Autowired AuditService audit;
    @Autowired TaskService tasks;
    @Autowired IdentityService identity;

    FakeLibvirt libvirt;

    @BeforeEach
    void world() {
        libvirt = FakeLibvirt.stub(inventory, storage, hypervisor, guestAgent);
        libvirt.volume("d", 64 * MIB);
        if (identity.createUserQuery().userId("olga").count() == 0) {
            identity.saveUser(identity.newUser("olga"));
            identity.createMembership("olga", Roles.OPERATORS);
            identity.createMembership("olga", Roles.APPROVERS);
        }
    }

    @Test
    void theRequesterApprovesTheirOwnResizeAndTheStartWasAudited() throws Exception {
        List<AuditEvent> atStart = audit.query(null, null, null).stream()
                .filter(e -> e.type().equals("FOUR_EYES_DISABLED")).toList();
        assertThat(atStart).singleElement().satisfies(e -> {
            assertThat(e.resizeId()).isNull();
            assertThat(e.detail()).contains("vdresize.approval.four-eyes=false", "requesters may approve their own resizes");
        });

        String id = resizes.start(new ResizeRequest(null, null, null, null, PATH, "+2G", null, null, "test"), "olga").id();
        assertThat(resizes.find(id).orElseThrow().status()).isEqualTo(ResizeStatus.WAITING_FOR_APPROVAL);
        String taskId = tasks.createTaskQuery().processInstanceId(id).singleResult().getId();
        // off or on, an approval names its approver
        assertThatThrownBy(() -> tasks.complete(taskId, Map.of("approved", true))).isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("needs an authenticated user");

        identity.setAuthentication("olga", List.of(Roles.OPERATORS, Roles.APPROVERS));
        try {
            tasks.claim(taskId, "olga");
            tasks.complete(taskId, Map.of("approved", true, "approvalComment", "my own"));
        } finally {
            identity.clearAuthentication();
        }

        await().pollInSameThread().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> resizes.find(id).orElseThrow().status().isFinal());
        assertThat(resizes.find(id).orElseThrow().status()).isEqualTo(ResizeStatus.COMPLETED);
        assertThat(libvirt.capacity(PATH)).isEqualTo(64 * MIB + (2L << 30));
        assertThat(audit.forResize(id)).filteredOn(e -> e.type().equals("RESIZE_APPROVED"))
                .extracting(AuditEvent::user).containsExactly("olga");
        // written once per start, not per approval
        assertThat(audit.query(null, null, null)).filteredOn(e -> e.type().equals("FOUR_EYES_DISABLED")).hasSize(1);
    }
}
