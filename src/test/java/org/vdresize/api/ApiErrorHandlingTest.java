package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.test.web.servlet.MvcResult;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.common.TransientFailureException;

/** Authentication, the engine's view of the user, and errors that no controller produces itself. */
class ApiErrorHandlingTest extends ApiSliceTest {

    private static final String CHALLENGE = "Basic realm=\"vdresize\"";

    @Test
    void withoutCredentials401ProblemWithChallenge() throws Exception {
        mvc.perform(get("/api/disks"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", CHALLENGE))
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("UNAUTHENTICATED"))
                .andExpect(jsonPath("$.status").value(401))
                .andExpect(jsonPath("$.title").value("Unauthorized"))
                .andExpect(jsonPath("$.type").value("about:blank"))
                .andExpect(jsonPath("$.instance").value("/api/disks"))
                .andExpect(jsonPath("$.detail").value(containsString("HTTP Basic")));
        verify(inventoryService, never()).disks(any(), anyInt());
    }

    @Test
    void wrongPasswordIs401AndNeverEchoesIt() throws Exception {
        mvc.perform(get("/api/disks").with(httpBasic("demo", "s3cret-guess")))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", CHALLENGE))
                .andExpect(jsonPath("$.code").value("UNAUTHENTICATED"))
                .andExpect(jsonPath("$.detail").value(containsString("wrong user name or password")))
                .andExpect(content().string(not(containsString("s3cret-guess"))));
        verify(identityService).checkPassword("demo", "s3cret-guess");
        verify(inventoryService, never()).disks(any(), anyInt());
    }

    @Test
    void everyApiPathNeedsCredentialsEvenUnknownOnesAndPosts() throws Exception {
        mvc.perform(get("/api/nothing-here")).andExpect(status().isUnauthorized());
        mvc.perform(get("/api")).andExpect(status().isUnauthorized());
        mvc.perform(post("/api/resizes").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isUnauthorized());
        mvc.perform(get("/api/audit").accept("text/csv")).andExpect(status().isUnauthorized())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void aBrokenIdentityServiceIs500Not401() throws Exception {
        when(identityService.checkPassword("demo", "demo")).thenThrow(new IllegalStateException("db down at jdbc:h2:secret"));
        mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isInternalServerError())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INTERNAL_ERROR"))
                .andExpect(header().doesNotExist("WWW-Authenticate"))
                .andExpect(content().string(not(containsString("secret"))));
    }

    @Test
    void theEngineKnowsTheUserDuringTheRequestAndForgetsItAfter() throws Exception {
        when(inventoryService.disks(null, 100)).thenReturn(new org.vdresize.common.Page<>(List.of(), null));
        mvc.perform(get("/api/disks").with(demo())).andExpect(status().isOk());

        InOrder order = inOrder(identityService, inventoryService);
        order.verify(identityService).setAuthentication("demo", List.of("camunda-admin"), List.of("t1"));
        order.verify(inventoryService).disks(null, 100);
        order.verify(identityService).clearAuthentication();
    }

    @Test
    void theEngineForgetsTheUserEvenWhenTheRequestFails() throws Exception {
        when(inventoryService.disks(null, 100)).thenThrow(new IllegalStateException("boom"));
        mvc.perform(get("/api/disks").with(demo())).andExpect(status().isInternalServerError());
        verify(identityService).setAuthentication("demo", List.of("camunda-admin"), List.of("t1"));
        verify(identityService).clearAuthentication();
    }

    @Test
    void noEngineAuthenticationWithoutValidCredentials() throws Exception {
        mvc.perform(get("/api/disks").with(httpBasic("demo", "nope"))).andExpect(status().isUnauthorized());
        verify(identityService, never()).setAuthentication(anyString(), any(), any());
    }

    @Test
    void statelessNoSessionCookie() throws Exception {
        when(inventoryService.disks(null, 100)).thenReturn(new org.vdresize.common.Page<>(List.of(), null));
        MvcResult result = mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isOk())
                .andExpect(header().doesNotExist("Set-Cookie"))
                .andReturn();
        assertThat(result.getRequest().getSession(false)).isNull();
    }

    @Test
    void unknownApiPathIs404Problem() throws Exception {
        mvc.perform(get("/api/nothing-here").with(demo()))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("NOT_FOUND"))
                .andExpect(jsonPath("$.title").value("Not Found"))
                .andExpect(jsonPath("$.instance").value("/api/nothing-here"));
    }

    @Test
    void wrongMethodIs405ProblemWithAllow() throws Exception {
        mvc.perform(delete("/api/disks").with(demo()))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Allow", "GET"))
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("METHOD_NOT_ALLOWED"));
    }

    @Test
    void unacceptableAcceptIs406Problem() throws Exception {
        mvc.perform(get("/api/disks").with(demo()).accept(MediaType.APPLICATION_XML))
                .andExpect(status().isNotAcceptable())
                .andExpect(jsonPath("$.code").value("NOT_ACCEPTABLE"));
        verify(inventoryService, never()).disks(any(), anyInt());
    }

    @Test
    void unexpectedExceptionIs500WithoutLeakingItsMessage() throws Exception {
        when(inventoryService.disks(null, 100)).thenThrow(new IllegalStateException("libvirt said: secret at /etc/shadow"));
        String body = mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isInternalServerError())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INTERNAL_ERROR"))
                .andExpect(jsonPath("$.status").value(500))
                .andExpect(jsonPath("$.errorId").isNotEmpty())
                .andReturn().getResponse().getContentAsString();
        assertThat(body).doesNotContain("secret", "shadow", "IllegalStateException", "at org.");
    }

    @Test
    void hostUnavailableIs503() throws Exception {
        when(inventoryService.disks(null, 100)).thenThrow(new HostUnavailableException("kvm2", "connection refused", null));
        mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.code").value("UNAVAILABLE"))
                .andExpect(jsonPath("$.detail").value(containsString("kvm2")))
                .andExpect(jsonPath("$.detail").value(not(containsString("refused"))));
    }

    @Test
    void otherTransientFailuresAre503Too() throws Exception {
        when(inventoryService.disks(null, 100)).thenThrow(new TransientFailureException("domain job busy"));
        mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.code").value("UNAVAILABLE"));
    }

    @Test
    void accessDeniedIs403Problem() throws Exception {
        when(inventoryService.disks(null, 100)).thenThrow(new AccessDeniedException("no"));
        mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isForbidden())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("FORBIDDEN"));
    }

    @Test
    void urlsTheFirewallRefusesAre400ProblemsUnderApi() throws Exception {
        mvc.perform(get("/api/disks;jsessionid=x").with(demo()))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
        verify(inventoryService, never()).disks(any(), anyInt());
    }

    @Test
    void pathsOutsideApiAreNotGuardedBySpringSecurity() throws Exception {
        // the webapps and /engine-rest have their own guards; Spring Security must not answer 401 for them
        mvc.perform(get("/camunda/app/welcome/default/")).andExpect(status().isNotFound());
    }
}
