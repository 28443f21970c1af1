package org.vdresize.config;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.Tenant;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Checks user name and password against the Camunda identity service, so the /api knows the same
 * users as Cockpit, Tasklist and /engine-rest. A failed check also counts towards Camunda's
 * lockout after wrong passwords, as it does for the webapps.
 */
public class CamundaIdentityAuthenticationProvider implements AuthenticationProvider {

    /** Authorities of the token: one per Camunda group. */
    public static final String GROUP_AUTHORITY_PREFIX = "GROUP_";

    private final IdentityService identityService;

    public CamundaIdentityAuthenticationProvider(IdentityService identityService) {
        this.identityService = identityService;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String userId = authentication.getName();
        Object credentials = authentication.getCredentials();
        if (userId == null || userId.isEmpty() || !(credentials instanceof String password) || password.isEmpty()) {
            throw new BadCredentialsException("user name and password are required");
        }
        boolean valid;
        List<String> groups;
        List<String> tenants;
        try {
            valid = identityService.checkPassword(userId, password);
            if (!valid) {
                throw new BadCredentialsException("wrong user name or password");
            }
            groups = identityService.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
            tenants = identityService.createTenantQuery().userMember(userId).includingGroupsOfUser(true).list()
                    .stream().map(Tenant::getId).toList();
        } catch (AuthenticationException e) {
            throw e;
        } catch (RuntimeException e) {
            // the engine or its database failed: that is not the client's fault, so no 401
            throw new InternalAuthenticationServiceException("the identity service failed", e);
        }
        CamundaUser user = new CamundaUser(userId, groups, tenants);
        return UsernamePasswordAuthenticationToken.authenticated(user, null,
                groups.stream().map(g -> new SimpleGrantedAuthority(GROUP_AUTHORITY_PREFIX + g)).toList());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
