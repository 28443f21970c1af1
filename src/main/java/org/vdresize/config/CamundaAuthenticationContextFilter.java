package org.vdresize.config;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hands the authenticated /api user to the engine for the duration of the request, the way
 * Camunda's own ProcessEngineAuthenticationFilter does for /engine-rest: the start event's
 * {@code camunda:initiator}, user operation logs and (if enabled) authorization checks then name
 * the real user. The engine keeps it in a thread-local, so it is always cleared afterwards.
 */
public class CamundaAuthenticationContextFilter extends OncePerRequestFilter {

    private final IdentityService identityService;

    public CamundaAuthenticationContextFilter(IdentityService identityService) {
        this.identityService = identityService;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated() || authentication.getName() == null
                || authentication instanceof AnonymousAuthenticationToken) {
            chain.doFilter(request, response);
            return;
        }
        List<String> groups = List.of();
        List<String> tenants = List.of();
        if (authentication.getPrincipal() instanceof CamundaUser user) {
            groups = user.groups();
            tenants = user.tenants();
        }
        identityService.setAuthentication(authentication.getName(), groups, tenants);
        try {
            chain.doFilter(request, response);
        } finally {
            identityService.clearAuthentication();
        }
    }
}
