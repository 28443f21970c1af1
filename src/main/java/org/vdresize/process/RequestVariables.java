package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.VAR_GROW_FILESYSTEM;
import static org.vdresize.process.ResizeProcess.VAR_INITIATOR;
import static org.vdresize.process.ResizeProcess.VAR_NOTIFY_GUEST;
import static org.vdresize.process.ResizeProcess.VAR_PATH;
import static org.vdresize.process.ResizeProcess.VAR_POOL;
import static org.vdresize.process.ResizeProcess.VAR_REASON;
import static org.vdresize.process.ResizeProcess.VAR_SIZE;
import static org.vdresize.process.ResizeProcess.VAR_TARGET;
import static org.vdresize.process.ResizeProcess.VAR_VALIDATION_TOKEN;
import static org.vdresize.process.ResizeProcess.VAR_VM;
import static org.vdresize.process.ResizeProcess.VAR_VMS_RESIZED;
import static org.vdresize.process.ResizeProcess.VAR_VOLUME;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.variable.value.FileValue;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.vdresize.resize.RequestFields;
import org.vdresize.resize.ResizeRequest;

/**
 * The request as process variables, from REST, engine-rest or the start form, read by the same
 * validator as a REST body ({@link RequestFields}): a variable of the wrong type, or one that is no
 * request field, is INVALID_REQUEST like in a REST body. Nothing here deserializes a value.
 */
final class RequestVariables {

    /**
     * Set by the engine or the process itself before validation, not by the caller: the start
     * event's initiator, its listener's counter, the REST layer's transient validation token.
     */
    private static final Set<String> SET_BY_THE_PROCESS = Set.of(VAR_INITIATOR, VAR_VMS_RESIZED, VAR_VALIDATION_TOKEN);
    /** the vdr_resize.requested_size column */
    private static final int MAX_SIZE_TEXT = 64;

    private RequestVariables() {
    }

    /**
     * The start variables of a request read by the REST layer: only the fields that are set, the
     * options with their defaults; a number stays a number, a text stays the text the user wrote.
     */
    static Map<String, Object> of(ResizeRequest r) {
        Map<String, Object> vars = new HashMap<>();
        putIfSet(vars, VAR_VM, r.vm());
        putIfSet(vars, VAR_TARGET, r.target());
        putIfSet(vars, VAR_POOL, r.pool());
        putIfSet(vars, VAR_VOLUME, r.volume());
        putIfSet(vars, VAR_PATH, r.path());
        putIfSet(vars, VAR_SIZE, r.size() instanceof Number n ? (Object) n.longValue() : r.size());
        vars.put(VAR_NOTIFY_GUEST, r.notifyGuest() == null || r.notifyGuest());
        vars.put(VAR_GROW_FILESYSTEM, Boolean.TRUE.equals(r.growFilesystem()));
        putIfSet(vars, VAR_REASON, r.reason());
        return vars;
    }

    private static void putIfSet(Map<String, Object> vars, String name, Object value) {
        if (value != null) {
            vars.put(name, value);
        }
    }

    /** @throws org.vdresize.resize.ResizeRejectedException INVALID_REQUEST or INVALID_SIZE */
    static ResizeRequest read(DelegateExecution execution) {
        Map<String, Object> fields = new HashMap<>();
        for (String name : execution.getVariableNames()) {
            if (!SET_BY_THE_PROCESS.contains(name)) {
                fields.put(name, value(execution.getVariableTyped(name, false)));
            }
        }
        return RequestFields.read(fields, RequestFields.Source.VARIABLES);
    }

    /**
     * Like {@link #read} but never fails, for recording the rejection of a malformed request: the
     * texts that are texts, cut to what their columns hold; anything else is left out.
     */
    static ResizeRequest readLeniently(DelegateExecution execution) {
        return new ResizeRequest(text(execution, RequestFields.VM), text(execution, RequestFields.TARGET),
                text(execution, RequestFields.POOL), text(execution, RequestFields.VOLUME),
                text(execution, RequestFields.PATH), sizeText(execution), flag(execution, RequestFields.NOTIFY_GUEST),
                flag(execution, RequestFields.GROW_FILESYSTEM), text(execution, RequestFields.REASON));
    }

    /** The plain value; for a serialized object or a file only what it is, so that nothing is deserialized. */
    private static Object value(TypedValue typed) {
        if (typed == null) {
            return null;
        }
        if (typed instanceof SerializableValue serializable) {
            return serializable.isDeserialized() ? serializable.getValue() : Map.of();
        }
        if (typed instanceof FileValue) {
            return new byte[0];
        }
        return typed.getValue();
    }

    private static Object plain(DelegateExecution execution, String name) {
        try {
            return value(execution.getVariableTyped(name, false));
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String text(DelegateExecution execution, String name) {
        return plain(execution, name) instanceof String s && !s.isBlank()
                ? cut(s.strip(), RequestFields.MAX_LENGTH.get(name)) : null;
    }

    private static Object sizeText(DelegateExecution execution) {
        Object size = plain(execution, RequestFields.SIZE);
        return size instanceof String || size instanceof Number ? cut(size.toString().strip(), MAX_SIZE_TEXT) : null;
    }

    private static Boolean flag(DelegateExecution execution, String name) {
        return plain(execution, name) instanceof Boolean b ? b : null;
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
