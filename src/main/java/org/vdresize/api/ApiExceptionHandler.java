package org.vdresize.api;

import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.lang.Nullable;
import org.springframework.web.ErrorResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.common.NotPermittedException;
import org.vdresize.common.TransientFailureException;
import org.vdresize.resize.ResizeRejectedException;

/**
 * Every error of the MVC layer as application/problem+json with a {@code code}. Spring's own
 * exceptions (malformed requests, 404 for unmapped paths, 405, 406, 415) come through
 * {@link ResponseEntityExceptionHandler}; they all get a code here. Nothing internal reaches the
 * client on a 500: it gets an error id that the log line carries too. Request bodies and
 * credentials are never logged.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ResizeRejectedException.class)
    ResponseEntity<ProblemDetail> rejected(ResizeRejectedException e, HttpServletRequest request) {
        HttpStatusCode status = HttpStatusCode.valueOf(e.code().httpStatus());
        log.debug("{} {}: {}", request.getMethod(), request.getRequestURI(), e.code());
        return problem(ApiProblems.problem(status, e.code().name(), e.getMessage(), request));
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> accessDenied(HttpServletRequest request) {
        return problem(ApiProblems.problem(HttpStatus.FORBIDDEN, ApiProblems.FORBIDDEN,
                "you may not do this", request));
    }

    /**
     * The engine's own authorization check refused the user (Camunda authorizations are on): a group
     * the /api lets through but whose Camunda grants an administrator has taken away.
     */
    @ExceptionHandler(NotPermittedException.class)
    ResponseEntity<ProblemDetail> engineAccessDenied(NotPermittedException e, HttpServletRequest request) {
        log.info("{} {}: refused by the engine's authorization check: {}", request.getMethod(), request.getRequestURI(),
                e.getMessage());
        return problem(ApiProblems.problem(HttpStatus.FORBIDDEN, ApiProblems.FORBIDDEN,
                "the process engine does not allow you to do this", request));
    }

    /** A libvirt host that does not answer now: worth a retry, unlike a 500. */
    @ExceptionHandler(TransientFailureException.class)
    ResponseEntity<ProblemDetail> unavailable(TransientFailureException e, HttpServletRequest request) {
        String detail = e instanceof HostUnavailableException h
                ? "libvirt host " + h.host() + " is not reachable right now; try again later"
                : "a temporary failure; try again later";
        log.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
        return problem(ApiProblems.problem(HttpStatus.SERVICE_UNAVAILABLE, ApiProblems.UNAVAILABLE, detail, request));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        return problem(internalError(e, request));
    }

    /** Spring's exceptions: keep its status and detail, add code and instance; hide 5xx details. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, @Nullable Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest webRequest) {
        HttpServletRequest request = ((NativeWebRequest) webRequest).getNativeRequest(HttpServletRequest.class);
        ProblemDetail problem;
        if (statusCode.is5xxServerError()) {
            problem = internalError(ex, request);
            problem.setStatus(statusCode.value());
            problem.setProperty(ApiProblems.CODE, ApiProblems.defaultCode(statusCode));
        } else {
            if (body instanceof ProblemDetail detail) {
                problem = detail;
            } else if (ex instanceof ErrorResponse response) {
                problem = response.getBody();
            } else {
                problem = ProblemDetail.forStatusAndDetail(statusCode, ex.getMessage());
            }
            ApiProblems.complete(problem, ApiProblems.defaultCode(statusCode), request);
            log.debug("{} {}: {} {}", request == null ? "" : request.getMethod(),
                    request == null ? "" : request.getRequestURI(), statusCode.value(), ex.getClass().getSimpleName());
        }
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);  // keeps Allow (405) and Accept (415)
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(problem, problemHeaders, statusCode);
    }

    private static ProblemDetail internalError(Exception e, HttpServletRequest request) {
        String errorId = UUID.randomUUID().toString();
        log.error("error {} on {} {}", errorId, request == null ? "" : request.getMethod(),
                request == null ? "" : request.getRequestURI(), e);
        ProblemDetail problem = ApiProblems.problem(HttpStatus.INTERNAL_SERVER_ERROR, ApiProblems.INTERNAL_ERROR,
                "an internal error occurred; the server log has the details under error id " + errorId, request);
        problem.setProperty("errorId", errorId);
        return problem;
    }

    private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
