package org.vdresize.api;

import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.GroupQuery;
import org.camunda.bpm.engine.identity.TenantQuery;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpSession;
import org.vdresize.audit.AuditVerification;
import org.vdresize.audit.AuditVerification.Status;
import org.vdresize.config.Roles;
import org.vdresize.resize.ResizeStatistics.Day;
import org.vdresize.resize.ResizeStatistics.DiskGrowth;
import org.vdresize.resize.ResizeStatistics.Stats;
import org.vdresize.resize.ResizeStatus;

/**
 * GET /api/stats/resizes, and reads with a Camunda webapp session (the Cockpit plugin's way in):
 * only GET/HEAD, only with the session's CSRF token, with the roles read from the identity service.
 */
class StatsControllerTest extends ApiSliceTest {

    private static final String TOKEN = "0123456789ABCDEF0123456789ABCDEF";

    @BeforeEach
    void users() {
        member("ada", Roles.AUDITORS);
        member("olga", Roles.OPERATORS);
        member("nobody");
        Map<ResizeStatus, Integer> byStatus = new EnumMap<>(ResizeStatus.class);
        for (ResizeStatus status : ResizeStatus.values()) {
            byStatus.put(status, 0);
        }
        byStatus.put(ResizeStatus.COMPLETED, 2);
        when(resizeStatistics.lastDays(anyInt())).thenReturn(new Stats(1, Instant.parse("2026-12-06T00:00:00Z"),
                Instant.parse("2026-12-06T12:00:00Z"), byStatus, 3L << 20,
                List.of(new Day(LocalDate.parse("2026-12-06"), 3L << 20, 2)), List.of(new DiskGrowth("/d/a.qcow2", 3L << 20, 2))));
    }

    /** A user of the identity service in these groups (and no tenant). */
    void member(String user, String... groups) {
        GroupQuery all = identityService.createGroupQuery();
        GroupQuery query = mock(GroupQuery.class);
        when(all.groupMember(user)).thenReturn(query);
        List<Group> list = new java.util.ArrayList<>();
        for (String id : groups) {
            Group group = mock(Group.class);
            when(group.getId()).thenReturn(id);
            list.add(group);
        }
        when(query.list()).thenReturn(list);
        TenantQuery tenants = identityService.createTenantQuery();
        TenantQuery none = mock(TenantQuery.class);
        when(tenants.userMember(user)).thenReturn(none);
        when(none.includingGroupsOfUser(true)).thenReturn(none);
        when(none.list()).thenReturn(List.of());
    }

    /** A session as the webapps' login leaves it: the user of an engine and the CSRF token. */
    static MockHttpSession webappSession(String user, String engine) {
        Authentications authentications = new Authentications();
        authentications.addOrReplace(new UserAuthentication(user, engine));
        MockHttpSession session = new MockHttpSession();
        session.setAttribute("authenticatedUser", authentications);
        session.setAttribute("CAMUNDA_CSRF_TOKEN", TOKEN);
        return session;
    }

    @Test
    void answersTheFiguresForEveryRole() throws Exception {
        mvc.perform(get("/api/stats/resizes?days=1").with(demo()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.days").value(1))
                .andExpect(jsonPath("$.byStatus.COMPLETED").value(2))
                .andExpect(jsonPath("$.byStatus.RUNNING").value(0))
                .andExpect(jsonPath("$.growthBytes").value(3 << 20))
                .andExpect(jsonPath("$.growthPerDay[0].day").value("2026-12-06"))
                .andExpect(jsonPath("$.growthPerDay[0].growthBytes").value(3 << 20))
                .andExpect(jsonPath("$.topDisks[0].path").value("/d/a.qcow2"))
                .andExpect(jsonPath("$.from").value("2026-12-06T00:00:00Z"));
        verify(resizeStatistics).lastDays(1);
    }

    @Test
    void thirtyDaysUnlessToldAndOnlyOneToAYear() throws Exception {
        mvc.perform(get("/api/stats/resizes").with(demo())).andExpect(status().isOk());
        verify(resizeStatistics).lastDays(30);
        for (String days : List.of("0", "367", "ten", "-1", "")) {
            mvc.perform(get("/api/stats/resizes").param("days", days).with(demo()))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
        }
    }

    @Test
    void withoutCredentialsOrAGroupNothingIsRead() throws Exception {
        mvc.perform(get("/api/stats/resizes")).andExpect(status().isUnauthorized());
        mvc.perform(get("/api/stats/resizes").session(webappSession("nobody", "default")).header("X-XSRF-TOKEN", TOKEN))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.code").value("FORBIDDEN"));
        verify(resizeStatistics, never()).lastDays(anyInt());
    }

    @Test
    void aWebappSessionWithItsCsrfTokenReadsAsItsUser() throws Exception {
        mvc.perform(get("/api/stats/resizes").session(webappSession("ada", "default")).header("X-XSRF-TOKEN", TOKEN))
                .andExpect(status().isOk());
        when(auditService.verify()).thenReturn(new AuditVerification(Status.INTACT, 0, null, null, null));
        // the roles apply as with Basic: the auditor verifies the trail, the operator may not
        mvc.perform(get("/api/audit/verify").session(webappSession("ada", "default")).header("X-XSRF-TOKEN", TOKEN))
                .andExpect(status().isOk());
        mvc.perform(get("/api/audit/verify").session(webappSession("olga", "default")).header("X-XSRF-TOKEN", TOKEN))
                .andExpect(status().isForbidden());
    }

    @Test
    void aSessionWithoutTheRightTokenOrOfAnotherEngineIsNoLogin() throws Exception {
        mvc.perform(get("/api/stats/resizes").session(webappSession("ada", "default")))
                .andExpect(status().isUnauthorized());
        mvc.perform(get("/api/stats/resizes").session(webappSession("ada", "default")).header("X-XSRF-TOKEN", "guessed"))
                .andExpect(status().isUnauthorized());
        mvc.perform(get("/api/stats/resizes").session(webappSession("ada", "other")).header("X-XSRF-TOKEN", TOKEN))
                .andExpect(status().isUnauthorized());
        MockHttpSession noToken = webappSession("ada", "default");
        noToken.removeAttribute("CAMUNDA_CSRF_TOKEN");
        mvc.perform(get("/api/stats/resizes").session(noToken).header("X-XSRF-TOKEN", TOKEN))
                .andExpect(status().isUnauthorized());
        verify(resizeStatistics, never()).lastDays(anyInt());
    }

    @Test
    void aSessionNeverWrites() throws Exception {
        // an operator may start resizes with Basic, never with the session of the webapps
        mvc.perform(post("/api/resizes").session(webappSession("olga", "default")).header("X-XSRF-TOKEN", TOKEN)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"path\":\"/d/a.qcow2\",\"size\":\"+1G\"}"))
                .andExpect(status().isUnauthorized());
        verify(resizeService, never()).start(org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any());
    }

    @Test
    void wrongBasicCredentialsAreNotRescuedByASession() throws Exception {
        mvc.perform(get("/api/stats/resizes").session(webappSession("ada", "default")).header("X-XSRF-TOKEN", TOKEN)
                        .with(org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors
                                .httpBasic("ada", "wrong")))
                .andExpect(status().isUnauthorized());
    }
}
