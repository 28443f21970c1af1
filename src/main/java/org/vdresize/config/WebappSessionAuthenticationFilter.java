package org.vdresize.config;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.camunda.bpm.webapp.impl.security.filter.util.CsrfConstants;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets a user logged in to the Camunda webapps read {@code /api} with that session, so the Cockpit
 * plugin ({@link VdresizeCockpitPlugin}) shows vdresize's data as the user who looks at it. Only reads: a
 * {@code GET} or {@code HEAD} without an {@code Authorization} header, from a session in which the
 * webapps' login put a user of this engine, carrying the session's CSRF token in
 * {@code X-XSRF-TOKEN} as the webapps' own requests do (a page of another site can make the browser
 * send the cookie, not read the token). Everything else is left to HTTP Basic as before, so a
 * session can never start a resize. The user's groups are read from the identity service at each
 * request, not from the session: a user removed from a group loses the right at once. The role
 * rules of {@link ApiSecurityConfiguration} then apply as for Basic authentication.
 */
public class WebappSessionAuthenticationFilter extends OncePerRequestFilter {

    /** Where Camunda's webapp login keeps its {@link Authentications} (AuthenticationUtil). */
    static final String SESSION_AUTHENTICATIONS = "authenticatedUser";

    private final IdentityService identityService;
    private final Supplier<String> engineName;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    /** @param engineName the name of this application's engine, as the webapps' login records it */
    public WebappSessionAuthenticationFilter(IdentityService identityService, Supplier<String> engineName) {
        this.identityService = identityService;
        this.engineName = engineName;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String userId = sessionUser(request);
        if (userId != null) {
            List<String> groups;
            List<String> tenants;
            try {
                groups = CamundaIdentityAuthenticationProvider.groupsOf(identityService, userId);
                tenants = CamundaIdentityAuthenticationProvider.tenantsOf(identityService, userId);
            } catch (RuntimeException e) {
                throw new InternalAuthenticationServiceException("the identity service failed", e);
            }
            SecurityContext context = contexts.createEmptyContext();
            context.setAuthentication(CamundaIdentityAuthenticationProvider.token(
                    new CamundaUser(userId, groups, tenants), groups));
            contexts.setContext(context);
        }
        chain.doFilter(request, response);
    }

    /** The webapp user of this request's session when the request may use it, else null. */
    String sessionUser(HttpServletRequest request) {
        String method = request.getMethod();
        if (!("GET".equals(method) || "HEAD".equals(method)) || request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            return null;
        }
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        String sent = request.getHeader(CsrfConstants.CSRF_TOKEN_HEADER_NAME);
        if (!(session.getAttribute(CsrfConstants.CSRF_TOKEN_SESSION_ATTR_NAME) instanceof String token)
                || sent == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                sent.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        if (session.getAttribute(SESSION_AUTHENTICATIONS) instanceof Authentications authentications
                && authentications.getAuthenticationForProcessEngine(engineName.get()) instanceof UserAuthentication user
                && user.getIdentityId() != null && !user.getIdentityId().isEmpty()) {
            return user.getIdentityId();
        }
        return null;
    }
}
