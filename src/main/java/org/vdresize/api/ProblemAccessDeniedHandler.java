package org.vdresize.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * 403 for authenticated users who may not do something, and 400 for request URLs the security
 * firewall refuses (encoded slashes, ";" and the like), both as problem+json under /api. Outside
 * /api the firewall's refusal stays the container's plain 400.
 */
public class ProblemAccessDeniedHandler implements AccessDeniedHandler, RequestRejectedHandler {

    private final ObjectMapper objectMapper;

    public ProblemAccessDeniedHandler(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        ApiProblems.write(response, ApiProblems.problem(HttpStatus.FORBIDDEN, ApiProblems.FORBIDDEN,
                "you may not do this", request), objectMapper);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        String uri = request.getRequestURI();
        String api = request.getContextPath() + "/api";
        if (uri != null && (uri.equals(api) || uri.startsWith(api + "/"))) {
            ApiProblems.write(response, ApiProblems.problem(HttpStatus.BAD_REQUEST, ApiProblems.INVALID_REQUEST,
                    "the request URL is not allowed", request), objectMapper);
        } else {
            response.sendError(HttpStatus.BAD_REQUEST.value());
        }
    }
}
