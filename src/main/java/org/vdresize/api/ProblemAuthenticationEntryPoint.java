package org.vdresize.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * 401 as problem+json with the Basic challenge; a broken identity service is a 500, not a 401. A
 * script of a page (the webapps send their CSRF token, others {@code X-Requested-With}) gets no
 * challenge: the browser would answer it with its password dialog over the page.
 */
public class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

    private static final Logger log = LoggerFactory.getLogger(ProblemAuthenticationEntryPoint.class);

    private final ObjectMapper objectMapper;
    private final String realm;

    public ProblemAuthenticationEntryPoint(ObjectMapper objectMapper, String realm) {
        this.objectMapper = objectMapper;
        this.realm = realm;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (e instanceof InternalAuthenticationServiceException) {
            String errorId = UUID.randomUUID().toString();
            log.error("error {} on {} {}: authentication failed", errorId, request.getMethod(), request.getRequestURI(), e);
            ProblemDetail problem = ApiProblems.problem(HttpStatus.INTERNAL_SERVER_ERROR, ApiProblems.INTERNAL_ERROR,
                    "an internal error occurred; the server log has the details under error id " + errorId, request);
            problem.setProperty("errorId", errorId);
            ApiProblems.write(response, problem, objectMapper);
            return;
        }
        String detail = e instanceof BadCredentialsException
                ? "wrong user name or password (after a wrong password the user is locked for a while)"
                : "authentication required: HTTP Basic with a Camunda user";
        if (!fromAWebappPage(request)) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + realm + "\"");
        }
        ApiProblems.write(response,
                ApiProblems.problem(HttpStatus.UNAUTHORIZED, ApiProblems.UNAUTHENTICATED, detail, request), objectMapper);
    }

    static boolean fromAWebappPage(HttpServletRequest request) {
        return request.getHeader("X-XSRF-TOKEN") != null
                || "XMLHttpRequest".equalsIgnoreCase(request.getHeader("X-Requested-With"));
    }
}
