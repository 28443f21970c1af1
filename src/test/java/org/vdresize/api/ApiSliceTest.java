package org.vdresize.api;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.GroupQuery;
import org.camunda.bpm.engine.identity.Tenant;
import org.camunda.bpm.engine.identity.TenantQuery;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.vdresize.audit.AuditService;
import org.vdresize.config.ApiSecurityConfiguration;
import org.vdresize.inventory.InventoryService;
import org.vdresize.resize.ResizeService;
import org.vdresize.resize.ResizeStatistics;
import org.vdresize.watch.WatchService;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;

/**
 * The web layer with the real security configuration and mocked services. The identity service
 * knows demo/demo (groups camunda-admin, tenant t1), so requests go through the real Basic
 * authentication, not a mocked security context. One shared context for all API slice tests.
 */
@WebMvcTest
@Import(ApiSecurityConfiguration.class)
// each test scripts the identity service anew: a login remembered from an earlier test would hide that
@TestPropertySource(properties = "vdresize.security.login-cache=PT0S")
abstract class ApiSliceTest {

    @Autowired
    protected MockMvc mvc;

    @MockitoBean
    protected ResizeService resizeService;
    @MockitoBean
    protected InventoryService inventoryService;
    @MockitoBean
    protected AuditService auditService;
    @MockitoBean
    protected IdentityService identityService;
    @MockitoBean
    protected WatchService watchService;
    @MockitoBean
    protected ResizeStatistics resizeStatistics;

    @BeforeEach
    void knowDemoUser() {
        when(identityService.checkPassword(anyString(), anyString())).thenReturn(false);
        when(identityService.checkPassword("demo", "demo")).thenReturn(true);
        Group admins = mock(Group.class);
        when(admins.getId()).thenReturn("camunda-admin");
        GroupQuery groups = mock(GroupQuery.class);
        when(identityService.createGroupQuery()).thenReturn(groups);
        when(groups.groupMember("demo")).thenReturn(groups);
        when(groups.list()).thenReturn(List.of(admins));
        Tenant tenant = mock(Tenant.class);
        when(tenant.getId()).thenReturn("t1");
        TenantQuery tenants = mock(TenantQuery.class);
        when(identityService.createTenantQuery()).thenReturn(tenants);
        when(tenants.userMember("demo")).thenReturn(tenants);
        when(tenants.includingGroupsOfUser(true)).thenReturn(tenants);
        when(tenants.list()).thenReturn(List.of(tenant));
    }

    protected static RequestPostProcessor demo() {
        return httpBasic("demo", "demo");
    }
}
