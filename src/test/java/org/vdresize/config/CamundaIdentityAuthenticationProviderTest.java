package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;

class CamundaIdentityAuthenticationProviderTest {

    private final IdentityService identity = mock(IdentityService.class, RETURNS_DEEP_STUBS);
    private final AtomicLong now = new AtomicLong(1_000);
    private final CamundaIdentityAuthenticationProvider provider =
            new CamundaIdentityAuthenticationProvider(identity, Duration.ofSeconds(10), now::get);

    @BeforeEach
    void users() {
        when(identity.checkPassword("operator", "secret")).thenReturn(true);
        Group group = mock(Group.class);
        when(group.getId()).thenReturn("disk-operators");
        when(identity.createGroupQuery().groupMember("operator").list()).thenReturn(List.of(group));
        when(identity.createTenantQuery().userMember("operator").includingGroupsOfUser(true).list()).thenReturn(List.of());
    }

    private Authentication login(String user, String password) {
        return provider.authenticate(new UsernamePasswordAuthenticationToken(user, password));
    }

    @Test
    void aSuccessfulLoginIsRememberedForTheConfiguredPeriodOnly() {
        Authentication first = login("operator", "secret");
        Authentication second = login("operator", "secret");
        assertThat(second.getAuthorities()).extracting(Object::toString).containsExactly("GROUP_disk-operators");
        assertThat(((CamundaUser) second.getPrincipal()).groups()).isEqualTo(((CamundaUser) first.getPrincipal()).groups());
        verify(identity, times(1)).checkPassword("operator", "secret");

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        login("operator", "secret");
        verify(identity, times(2)).checkPassword("operator", "secret");
    }

    @Test
    void aWrongPasswordIsAlwaysCheckedByTheEngineAndForgetsTheUser() {
        login("operator", "secret");
        assertThatThrownBy(() -> login("operator", "guess")).isInstanceOf(BadCredentialsException.class);
        verify(identity).checkPassword("operator", "guess");
        // e.g. locked out by the engine after the wrong password: the right one is asked again
        when(identity.checkPassword("operator", "secret")).thenReturn(false);
        assertThatThrownBy(() -> login("operator", "secret")).isInstanceOf(BadCredentialsException.class);
        verify(identity, times(2)).checkPassword("operator", "secret");
    }

    @Test
    void zeroTurnsTheMemoryOff() {
        CamundaIdentityAuthenticationProvider uncached = new CamundaIdentityAuthenticationProvider(identity, Duration.ZERO, now::get);
        uncached.authenticate(new UsernamePasswordAuthenticationToken("operator", "secret"));
        uncached.authenticate(new UsernamePasswordAuthenticationToken("operator", "secret"));
        verify(identity, times(2)).checkPassword("operator", "secret");
    }
}
