package org.vdresize.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.vdresize.common.OperationFailedException;

/**
 * The guest agent commands the guest step needs, for one VM: JSON built with Jackson (never by
 * string concatenation), files read and written through guest-file-*, programs run with an argument
 * vector through guest-exec.
 */
final class GuestAgentClient {

    static final int TIMEOUT_S = 10;
    /** guest-exec is asynchronous in the agent: its status is polled; resize2fs etc. take well under this */
    static final Duration EXEC_LIMIT = Duration.ofSeconds(120);

    record ExecResult(int exitCode, String out, String err) {
    }

    private final GuestAgentPort agent;
    private final ObjectMapper json;
    private final String host;
    private final String vmUuid;

    GuestAgentClient(GuestAgentPort agent, ObjectMapper json, String host, String vmUuid) {
        this.agent = agent;
        this.json = json;
        this.host = host;
        this.vmUuid = vmUuid;
    }

    void ping(int timeoutSeconds) {
        call("guest-ping", null, timeoutSeconds);
    }

    JsonNode disks() {
        return call("guest-get-disks", null, TIMEOUT_S);
    }

    JsonNode filesystems() {
        return call("guest-get-fsinfo", null, TIMEOUT_S);
    }

    byte[] readFile(String path) {
        ObjectNode open = json.createObjectNode().put("path", path).put("mode", "r");
        long handle = call("guest-file-open", open, TIMEOUT_S).asLong();
        try {
            JsonNode read = call("guest-file-read", json.createObjectNode().put("handle", handle).put("count", 65536), TIMEOUT_S);
            return Base64.getDecoder().decode(read.path("buf-b64").asText(""));
        } finally {
            call("guest-file-close", json.createObjectNode().put("handle", handle), TIMEOUT_S);
        }
    }

    void writeFile(String path, byte[] content) {
        long handle = call("guest-file-open", json.createObjectNode().put("path", path).put("mode", "w"), TIMEOUT_S).asLong();
        try {
            call("guest-file-write", json.createObjectNode().put("handle", handle)
                    .put("buf-b64", Base64.getEncoder().encodeToString(content)), TIMEOUT_S);
            // qemu-ga writes through stdio: sysfs sees the bytes on flush
            call("guest-file-flush", json.createObjectNode().put("handle", handle), TIMEOUT_S);
        } finally {
            call("guest-file-close", json.createObjectNode().put("handle", handle), TIMEOUT_S);
        }
    }

    ExecResult exec(String program, List<String> args, String stdin) {
        ObjectNode arguments = json.createObjectNode().put("path", program).put("capture-output", true);
        ArrayNode arg = arguments.putArray("arg");
        args.forEach(arg::add);
        if (stdin != null) {
            arguments.put("input-data", Base64.getEncoder().encodeToString(stdin.getBytes(StandardCharsets.UTF_8)));
        }
        long pid = call("guest-exec", arguments, TIMEOUT_S).path("pid").asLong();
        long deadline = System.nanoTime() + EXEC_LIMIT.toNanos();
        while (true) {
            JsonNode status = call("guest-exec-status", json.createObjectNode().put("pid", pid), TIMEOUT_S);
            if (status.path("exited").asBoolean()) {
                return new ExecResult(status.path("exitcode").asInt(-1), decode(status.path("out-data")),
                        decode(status.path("err-data")));
            }
            if (System.nanoTime() > deadline) {
                throw new OperationFailedException(program + " still running in the guest after " + EXEC_LIMIT);
            }
            pause();
        }
    }

    private JsonNode call(String command, ObjectNode arguments, int timeoutSeconds) {
        ObjectNode request = json.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        String reply = agent.command(host, vmUuid, request.toString(), timeoutSeconds);
        try {
            JsonNode answer = json.readTree(reply);
            if (answer.has("error")) {
                throw new OperationFailedException(command + ": " + answer.path("error").path("desc").asText(answer.toString()));
            }
            return answer.path("return");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new OperationFailedException(command + " answered with something that is not JSON", e);
        }
    }

    private static String decode(JsonNode base64) {
        return base64.isMissingNode() ? "" : new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationFailedException("interrupted while waiting for a guest command");
        }
    }
}
