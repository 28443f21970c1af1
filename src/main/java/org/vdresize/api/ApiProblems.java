package org.vdresize.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.vdresize.resize.RejectionCode;

/**
 * RFC 9457 problem responses of the /api, all with a machine-readable {@code code}: the contract's
 * {@link RejectionCode}s plus the codes below for what HTTP itself refuses. Used by the exception
 * handler and by the security filters, which answer before any controller runs.
 */
public final class ApiProblems {

    public static final String CODE = "code";
    public static final String INVALID_REQUEST = RejectionCode.INVALID_REQUEST.name();
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    public static final String FORBIDDEN = "FORBIDDEN";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    public static final String NOT_ACCEPTABLE = "NOT_ACCEPTABLE";
    public static final String UNAVAILABLE = "UNAVAILABLE";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    private ApiProblems() {
    }

    public static ProblemDetail problem(HttpStatusCode status, String code, String detail, HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        return complete(problem, code, request);
    }

    /** Fills what RFC 9457 and the contract expect but a framework-made problem may lack. */
    public static ProblemDetail complete(ProblemDetail problem, String code, HttpServletRequest request) {
        if (problem.getTitle() == null) {
            HttpStatus known = HttpStatus.resolve(problem.getStatus());
            problem.setTitle(known != null ? known.getReasonPhrase() : "Error");
        }
        if (problem.getInstance() == null && request != null) {
            problem.setInstance(instance(request));
        }
        problem.setProperty(CODE, code);
        return problem;
    }

    /** The code for a status when nothing more specific is known. */
    public static String defaultCode(HttpStatusCode status) {
        return switch (status.value()) {
            case 401 -> UNAUTHENTICATED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 503 -> UNAVAILABLE;
            default -> status.is4xxClientError() ? INVALID_REQUEST : INTERNAL_ERROR;
        };
    }

    /** For filters: writes the problem as the whole response. */
    public static void write(HttpServletResponse response, ProblemDetail problem, ObjectMapper mapper) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        mapper.writeValue(response.getOutputStream(), problem);
    }

    private static URI instance(HttpServletRequest request) {
        try {
            return URI.create(request.getRequestURI());
        } catch (IllegalArgumentException e) {
            return null;  // a path the container let through but java.net.URI refuses: leave instance out
        }
    }
}
