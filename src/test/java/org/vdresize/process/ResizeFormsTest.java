package org.vdresize.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.process.ResizeProcess.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.SizeSpec;

/**
 * The Camunda Forms in forms/: Tasklist renders them (form-js, schemaVersion up to 16 in 7.24) and
 * submits each field as the process variable named by its key, so the keys are the contract.
 */
class ResizeFormsTest {

    private static JsonNode form(String name) throws IOException {
        try (InputStream in = ResizeFormsTest.class.getResourceAsStream("/forms/" + name + ".form")) {
            assertThat(in).as(name).isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    /** key -> field, for every component that submits a value */
    private static Map<String, JsonNode> fields(JsonNode form) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        StreamSupport.stream(form.get("components").spliterator(), false)
            .filter(component -> component.has("key"))
            .forEach(component -> fields.put(component.get("key").asText(), component));
        return fields;
    }

    @Test
    void startFormAsksForTheRequestWithTheVariableNamesTheProcessReads() throws IOException {
        JsonNode form = form("resize-start");
        assertThat(form.get("id").asText()).isEqualTo("resize-start");
        assertThat(form.get("schemaVersion").asInt()).isBetween(1, 16);

        Map<String, JsonNode> fields = fields(form);
        assertThat(fields).containsOnlyKeys(VAR_VM, VAR_TARGET, VAR_POOL, VAR_VOLUME, VAR_PATH, VAR_SIZE,
            VAR_NOTIFY_GUEST, VAR_GROW_FILESYSTEM, VAR_REASON);
        for (String text : List.of(VAR_VM, VAR_TARGET, VAR_POOL, VAR_VOLUME, VAR_PATH, VAR_SIZE)) {
            assertThat(fields.get(text).get("type").asText()).as(text).isEqualTo("textfield");
        }
        assertThat(fields.get(VAR_SIZE).at("/validate/required").asBoolean()).isTrue();
        assertThat(fields.get(VAR_NOTIFY_GUEST).get("type").asText()).isEqualTo("checkbox");
        assertThat(fields.get(VAR_NOTIFY_GUEST).get("defaultValue").asBoolean()).isTrue();
        assertThat(fields.get(VAR_GROW_FILESYSTEM).get("type").asText()).isEqualTo("checkbox");
        assertThat(fields.get(VAR_GROW_FILESYSTEM).get("defaultValue").asBoolean()).isFalse();
        assertThat(fields.get(VAR_REASON).get("type").asText()).isEqualTo("textarea");
        assertThat(fields.get(VAR_REASON).at("/validate/maxLength").asInt()).isEqualTo(ResizeRequest.MAX_REASON_LENGTH);
    }

    @Test
    void sizePatternAcceptsTheContractsSizesAndRejectsOthers() throws IOException {
        // form-js tests the pattern with new RegExp(pattern).test(value); these patterns mean the same in Java
        Pattern size = Pattern.compile(fields(form("resize-start")).get(VAR_SIZE).at("/validate/pattern").asText());
        for (String ok : List.of("20G", "20GiB", "+512M", "1.5T", "21474836480", "20 gb", "+5G", "100MB", "7b")) {
            assertThat(size.matcher(ok).find()).as(ok).isTrue();
        }
        for (String bad : List.of("", "G", "-5G", "20X", "twenty", "1.5.2G", "20 G B")) {
            assertThat(size.matcher(bad).find()).as(bad).isFalse();
        }
    }

    /**
     * The form checks a size's syntax before Tasklist submits it; the process checks it again with
     * SizeSpec. Both must agree, or a person would see a size refused that the API takes, or a
     * submitted one end REJECTED for its syntax. Only values (zero, above 2^53) are left to the process.
     */
    @ParameterizedTest
    @ValueSource(strings = {"20G", "20GiB", "20 gib", "+512M", "1.5T", "21474836480", "+0", "+0M", "+1B", "+100K",
        ".5G", "5.", "+.5M", " 7 b ", "100MB", "1TB", "0", "0G", "9999999T",
        "", " ", "+", "G", "+ 5G", "++5G", "-5G", "-1", "1e9", "1E9G", "20X", "20 XB", "20 G B", "1.5.2G", "1,5G",
        "0x10", "twenty", "5+", "20G;drop"})
    void theStartFormsSizePatternAgreesWithTheProcess(String text) throws IOException {
        Pattern pattern = Pattern.compile(fields(form("resize-start")).get(VAR_SIZE).at("/validate/pattern").asText());
        boolean process;
        try {
            SizeSpec.parse(text);
            process = true;
        } catch (ResizeRejectedException e) {
            // refused for its value, not its syntax: the process says so in the REJECTED resize
            process = e.getMessage().contains("zero") || e.getMessage().contains("2^53");
        }
        assertThat(pattern.matcher(text).find()).as("the form's pattern on \"%s\"", text).isEqualTo(process);
    }

    @Test
    void approveResizeFormShowsTheRequestAndAsksForABooleanDecision() throws IOException {
        JsonNode form = form("approve-resize");
        assertThat(form.get("id").asText()).isEqualTo("approve-resize");
        assertThat(form.get("schemaVersion").asInt()).isBetween(1, 16);

        Map<String, JsonNode> fields = fields(form);
        assertThat(fields).containsOnlyKeys(VAR_DISK_PATH, VAR_OLD_SIZE, VAR_NEW_SIZE, VAR_INITIATOR, VAR_REASON,
            VAR_APPROVED, VAR_APPROVAL_COMMENT);
        for (String shown : List.of(VAR_DISK_PATH, VAR_OLD_SIZE, VAR_NEW_SIZE, VAR_INITIATOR, VAR_REASON)) {
            assertThat(fields.get(shown).get("readonly").asBoolean()).as(shown + " readonly").isTrue();
            // Tasklist submits read-only fields untyped: oldSize would come back as an Integer or a String
            // over the Long the delegates read. form-js does not submit disabled fields.
            assertThat(fields.get(shown).get("disabled").asBoolean()).as(shown + " disabled (not submitted)").isTrue();
        }
        assertThat(fields.get(VAR_OLD_SIZE).get("type").asText()).isEqualTo("number");
        assertThat(fields.get(VAR_NEW_SIZE).get("type").asText()).isEqualTo("number");

        JsonNode approved = fields.get(VAR_APPROVED);
        assertThat(approved.get("type").asText()).isEqualTo("radio");
        assertThat(approved.at("/validate/required").asBoolean()).isTrue();
        // JSON booleans, so Tasklist submits a Boolean for ${approved} / ${!approved} (a string would not do)
        Map<Boolean, String> values = new LinkedHashMap<>();
        approved.get("values").forEach(value -> {
            assertThat(value.get("value").isBoolean()).as(value.toString()).isTrue();
            values.put(value.get("value").asBoolean(), value.get("label").asText());
        });
        assertThat(values).containsExactly(Map.entry(true, "Approve"), Map.entry(false, "Reject"));
        assertThat(fields.get(VAR_APPROVAL_COMMENT).get("type").asText()).isEqualTo("textarea");
    }

    @Test
    void needsAttentionFormShowsTheFailureAndAsksRetryOrFinish() throws IOException {
        JsonNode form = form("needs-attention");
        assertThat(form.get("id").asText()).isEqualTo("needs-attention");
        assertThat(form.get("schemaVersion").asInt()).isBetween(1, 16);

        Map<String, JsonNode> fields = fields(form);
        assertThat(fields).containsOnlyKeys(VAR_DISK_PATH, VAR_ERROR_CODE, VAR_ERROR_MESSAGE, VAR_OPERATOR_DECISION,
            "resolutionComment");
        for (String shown : List.of(VAR_DISK_PATH, VAR_ERROR_CODE, VAR_ERROR_MESSAGE)) {
            assertThat(fields.get(shown).get("readonly").asBoolean()).as(shown + " readonly").isTrue();
        }
        JsonNode decision = fields.get(VAR_OPERATOR_DECISION);
        assertThat(decision.get("type").asText()).isIn("radio", "select");
        assertThat(decision.at("/validate/required").asBoolean()).isTrue();
        Map<String, String> values = new LinkedHashMap<>();
        decision.get("values").forEach(value -> values.put(value.get("value").asText(), value.get("label").asText()));
        assertThat(values).containsExactly(
            Map.entry(DECISION_RETRY, "Retry the remaining VMs"),
            Map.entry(DECISION_FINISH, "Finish with a warning"));
        assertThat(fields.get("resolutionComment").get("type").asText()).isEqualTo("textarea");
    }
}
