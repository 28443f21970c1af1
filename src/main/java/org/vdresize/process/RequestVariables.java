package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_GROW_FILESYSTEM;
import static org.vdresize.process.ResizeProcess.VAR_NOTIFY_GUEST;
import static org.vdresize.process.ResizeProcess.VAR_PATH;
import static org.vdresize.process.ResizeProcess.VAR_POOL;
import static org.vdresize.process.ResizeProcess.VAR_REASON;
import static org.vdresize.process.ResizeProcess.VAR_SIZE;
import static org.vdresize.process.ResizeProcess.VAR_TARGET;
import static org.vdresize.process.ResizeProcess.VAR_VM;
import static org.vdresize.process.ResizeProcess.VAR_VOLUME;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;

/**
 * The request as process variables, from REST, engine-rest or the start form. Engine-rest callers
 * may send any type: a wrong one is INVALID_REQUEST, like a malformed REST body. Empty strings
 * (what a form sends for an untouched field) count as absent.
 */
final class RequestVariables {

    private RequestVariables() {
    }

    static ResizeRequest read(DelegateExecution execution) {
        return new ResizeRequest(text(execution, VAR_VM), text(execution, VAR_TARGET), text(execution, VAR_POOL),
                text(execution, VAR_VOLUME), text(execution, VAR_PATH), size(execution),
                flag(execution, VAR_NOTIFY_GUEST), flag(execution, VAR_GROW_FILESYSTEM), text(execution, VAR_REASON));
    }

    /** Like {@link #read} but never fails: for recording a rejection of a malformed request. */
    static ResizeRequest readLeniently(DelegateExecution execution) {
        return new ResizeRequest(lenient(execution, VAR_VM), lenient(execution, VAR_TARGET), lenient(execution, VAR_POOL),
                lenient(execution, VAR_VOLUME), lenient(execution, VAR_PATH), lenient(execution, VAR_SIZE),
                null, null, lenient(execution, VAR_REASON));
    }

    private static String text(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new ResizeRejectedException(RejectionCode.INVALID_REQUEST, name + " must be a string");
        }
        return s.isBlank() ? null : s.trim();
    }

    private static Object size(DelegateExecution execution) {
        Object value = execution.getVariable(VAR_SIZE);
        if (value instanceof String s && s.isBlank()) {
            return null;
        }
        return value;
    }

    private static Boolean flag(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.valueOf(s);
        }
        throw new ResizeRejectedException(RejectionCode.INVALID_REQUEST, name + " must be true or false");
    }

    private static String lenient(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        return value == null ? null : value.toString();
    }
}
