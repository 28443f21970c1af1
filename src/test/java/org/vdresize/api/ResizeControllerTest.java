package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;
import org.vdresize.common.Page;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeKey;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeRequest;
import org.vdresize.resize.ResizeStatus;
import org.vdresize.resize.ResizeView;
import org.vdresize.resize.StepState;
import org.vdresize.guest.GuestStatus;
import org.vdresize.vm.VmDiskStatus;

class ResizeControllerTest extends ApiSliceTest {

    @Autowired
    private ObjectMapper objectMapper;

    private static final Instant STARTED = Instant.parse("2025-01-31T12:00:00Z");
    private static final Instant ENDED = Instant.parse("2025-01-31T12:00:03.250Z");

    static ResizeView running(String id) {
        return new ResizeView(id, ResizeStatus.RUNNING, false,
                new ResizeView.DiskRef("/var/lib/libvirt/images/d1.qcow2", "default", "d1.qcow2", "qcow2", false),
                1073741824L, "2G", 2147483648L, List.of(), List.of(), "demo", "grow it", STARTED, null, List.of(), null);
    }

    static ResizeView complete(String id) {
        return new ResizeView(id, ResizeStatus.COMPLETED, false,
                new ResizeView.DiskRef("/var/lib/libvirt/images/d1.qcow2", "default", "d1.qcow2", "qcow2", true),
                1073741824L, "2G", 2147483648L,
                List.of(new ResizeView.VmOutcome("vm1", "local", "vdb", VmDiskStatus.RESIZED, 2147483648L)),
                List.of(new ResizeView.GuestOutcome("vm1", GuestStatus.SEEN, 2147483648L, null)),
                "demo", null, STARTED, ENDED,
                List.of(new ResizeView.Step("STORAGE_EXTEND", StepState.DONE, STARTED, ENDED, "qemu-img resize")),
                new ResizeView.Error("VM_STATE", "vm1 paused"));
    }

    private ResultActions postResize(String json) throws Exception {
        return mvc.perform(post("/api/resizes").with(demo()).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    private ResizeRequest startedWith() {
        ArgumentCaptor<ResizeRequest> request = ArgumentCaptor.forClass(ResizeRequest.class);
        verify(resizeService).start(request.capture(), any());
        return request.getValue();
    }

    // --- starting ---

    @Test
    void startAnswers202WithLocationAndTheResize() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("pi-42"));

        postResize("""
                {"vm": "vm1", "target": "vdb", "size": "20G", "notifyGuest": false, "growFilesystem": true,
                 "reason": "disk full"}""")
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", "/api/resizes/pi-42"))
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.id").value("pi-42"))
                .andExpect(jsonPath("$.status").value("RUNNING"))
                .andExpect(jsonPath("$.noop").value(false))
                .andExpect(jsonPath("$.startedAt").value("2025-01-31T12:00:00Z"));

        verify(resizeService).start(new ResizeRequest("vm1", "vdb", null, null, null, "20G", false, true, "disk full"),
                "demo");
    }

    @Test
    void theUserIsTheAuthenticatedOneNotAnythingInTheBody() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("pi-1"));
        postResize("{\"path\": \"/d.img\", \"size\": \"+1G\"}").andExpect(status().isAccepted());
        verify(resizeService).start(any(), org.mockito.ArgumentMatchers.eq("demo"));
    }

    @Test
    void aResizeThatFinishedBeforeTheAnswerWasReadIsStill202() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(complete("pi-fast"));

        postResize("{\"pool\": \"default\", \"volume\": \"d1.qcow2\", \"size\": \"2G\"}")
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", "/api/resizes/pi-fast"))
                .andExpect(jsonPath("$.status").value("COMPLETED"))
                .andExpect(jsonPath("$.noop").value(false));
    }

    @Test
    void aWaitingReadIsAnsweredAsynchronouslyWithTheChangedResize() throws Exception {
        when(resizeService.findWhenChanged("pi-9", java.time.Duration.ofSeconds(30)))
                .thenReturn(java.util.concurrent.CompletableFuture.completedFuture(Optional.of(complete("pi-9"))));
        org.springframework.test.web.servlet.MvcResult started = mvc.perform(get("/api/resizes/pi-9").param("wait", "30").with(demo()))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.request().asyncStarted())
                .andReturn();
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(started))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.id").value("pi-9"))
                .andExpect(jsonPath("$.status").value("COMPLETED"));
    }

    @Test
    void aWaitingReadOfAnUnknownResizeIs404() throws Exception {
        when(resizeService.findWhenChanged("nope", java.time.Duration.ofSeconds(5)))
                .thenReturn(java.util.concurrent.CompletableFuture.completedFuture(Optional.empty()));
        org.springframework.test.web.servlet.MvcResult started = mvc.perform(get("/api/resizes/nope").param("wait", "5").with(demo()))
                .andReturn();
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(started))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("UNKNOWN_RESIZE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "61", "1.5", "soon", ""})
    void aWaitThatIsNotWholeSecondsUpToAMinuteIs400(String wait) throws Exception {
        mvc.perform(get("/api/resizes/pi-9").param("wait", wait).with(demo()))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
        verify(resizeService, never()).findWhenChanged(anyString(), any());
    }

    @Test
    void alreadyAtSizeAnswers200WithoutLocation() throws Exception {
        ResizeView noop = new ResizeView("pi-7", ResizeStatus.COMPLETED, true, null, 2147483648L, "2G", 2147483648L,
                List.of(), List.of(), "demo", null, STARTED, STARTED, List.of(), null);
        when(resizeService.start(any(), anyString())).thenReturn(noop);

        postResize("{\"pool\": \"default\", \"volume\": \"d1.qcow2\", \"size\": \"2G\"}")
                .andExpect(status().isOk())
                .andExpect(header().doesNotExist("Location"))
                .andExpect(header().string("Content-Location", "/api/resizes/pi-7"))
                .andExpect(jsonPath("$.status").value("COMPLETED"))
                .andExpect(jsonPath("$.noop").value(true));
    }

    @Test
    void theLocationEncodesTheId() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("a b/c"));
        postResize("{\"path\": \"/d.img\", \"size\": \"20G\"}")
                .andExpect(header().string("Location", "/api/resizes/a%20b%2Fc"));
    }

    @Test
    void eachWayOfNamingTheDiskReachesTheService() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        postResize("{\"pool\": \"default\", \"volume\": \"d1.qcow2\", \"size\": \"+5G\"}").andExpect(status().isAccepted());
        assertThat(startedWith()).isEqualTo(
                new ResizeRequest(null, null, "default", "d1.qcow2", null, "+5G", null, null, null));
    }

    @Test
    void aPathWithAByteCountAsJsonNumberIsPassedAsLong() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        postResize("{\"path\": \"/var/lib/libvirt/images/disk1.qcow2\", \"size\": 21474836480}")
                .andExpect(status().isAccepted());
        ResizeRequest request = startedWith();
        assertThat(request.path()).isEqualTo("/var/lib/libvirt/images/disk1.qcow2");
        assertThat(request.size()).isEqualTo(21474836480L);
    }

    @Test
    void nullOptionalFieldsAreAbsentAndABlankReasonIsNoReason() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        postResize("{\"path\": \"/d\", \"size\": \" 20 GiB \", \"vm\": null, \"notifyGuest\": null, \"reason\": \"  \"}")
                .andExpect(status().isAccepted());
        assertThat(startedWith()).isEqualTo(new ResizeRequest(null, null, null, null, "/d", "20 GiB", null, null, null));
    }

    @Test
    void aReasonOfExactly500CharactersIsAccepted() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        String reason = "\u00e9".repeat(500);
        postResize("{\"path\": \"/d\", \"size\": \"1G\", \"reason\": \"" + reason + "\"}").andExpect(status().isAccepted());
        assertThat(startedWith().reason()).isEqualTo(reason);
    }

    @Test
    void charactersOutsideTheBmpCountTwiceLikeTheDatabaseColumnDoes() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        String floppy = "\uD83D\uDCBE";
        postResize("{\"path\": \"/d\", \"size\": \"1G\", \"reason\": \"" + floppy.repeat(250) + "\"}")
                .andExpect(status().isAccepted());
        postResize("{\"path\": \"/d\", \"size\": \"1G\", \"reason\": \"" + floppy.repeat(251) + "\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
    }

    @Test
    void namesUpToTheLimitsAreAccepted() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        postResize("{\"vm\": \"" + "v".repeat(255) + "\", \"target\": \"" + "t".repeat(64) + "\", \"size\": \"1G\"}")
                .andExpect(status().isAccepted());
        postResize("{\"pool\": \"" + "p".repeat(255) + "\", \"volume\": \"" + "x".repeat(1024) + "\", \"size\": \"1G\"}")
                .andExpect(status().isAccepted());
        postResize("{\"path\": \"/" + "d".repeat(3999) + "\", \"size\": \"1G\"}").andExpect(status().isAccepted());
    }

    @Test
    void charsetParameterOnTheContentTypeIsFine() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        mvc.perform(post("/api/resizes").with(demo()).contentType("application/json;charset=UTF-8")
                        .content("{\"path\": \"/d\", \"size\": \"1G\"}"))
                .andExpect(status().isAccepted());
    }

    // --- the request's own errors ---

    static Stream<Arguments> invalidRequests() {
        List<Arguments> cases = new ArrayList<>(List.of(
                Arguments.of("malformed JSON", "{\"path\": \"/d\", \"size\": \"1G\"", "malformed JSON"),
                Arguments.of("not JSON at all", "size=1G", "malformed JSON"),
                Arguments.of("empty body", "", "empty"),
                Arguments.of("whitespace body", "   ", "empty"),
                Arguments.of("array body", "[{\"path\": \"/d\", \"size\": \"1G\"}]", "JSON object"),
                Arguments.of("string body", "\"20G\"", "JSON object"),
                Arguments.of("trailing tokens", "{\"path\": \"/d\", \"size\": \"1G\"} {}", "malformed JSON"),
                Arguments.of("duplicate field", "{\"path\": \"/d\", \"path\": \"/e\", \"size\": \"1G\"}", "Duplicate"),
                Arguments.of("unknown field", "{\"path\": \"/d\", \"size\": \"1G\", \"force\": true}", "\"force\""),
                Arguments.of("misspelt field", "{\"path\": \"/d\", \"size\": \"1G\", \"notify_guest\": true}", "notify_guest"),
                Arguments.of("missing size", "{\"path\": \"/d\"}", "size is missing"),
                Arguments.of("null size", "{\"path\": \"/d\", \"size\": null}", "size is missing"),
                Arguments.of("no disk", "{\"size\": \"1G\"}", "not named"),
                Arguments.of("vm and path", "{\"vm\": \"v\", \"target\": \"vdb\", \"path\": \"/d\", \"size\": \"1G\"}", "exactly one way"),
                Arguments.of("pool and path", "{\"pool\": \"p\", \"volume\": \"v\", \"path\": \"/d\", \"size\": \"1G\"}", "exactly one way"),
                Arguments.of("vm and pool", "{\"vm\": \"v\", \"target\": \"vdb\", \"pool\": \"p\", \"volume\": \"x\", \"size\": \"1G\"}", "exactly one way"),
                Arguments.of("target and volume", "{\"target\": \"vdb\", \"volume\": \"x\", \"size\": \"1G\"}", "exactly one way"),
                Arguments.of("vm without target", "{\"vm\": \"v\", \"size\": \"1G\"}", "vm needs target"),
                Arguments.of("target without vm", "{\"target\": \"vdb\", \"size\": \"1G\"}", "target needs vm"),
                Arguments.of("pool without volume", "{\"pool\": \"p\", \"size\": \"1G\"}", "pool needs volume"),
                Arguments.of("volume without pool", "{\"volume\": \"x\", \"size\": \"1G\"}", "volume needs pool"),
                Arguments.of("blank path", "{\"path\": \" \", \"size\": \"1G\"}", "blank"),
                Arguments.of("vm as number", "{\"vm\": 5, \"target\": \"vdb\", \"size\": \"1G\"}", "vm must be a string"),
                Arguments.of("path as object", "{\"path\": {\"p\": 1}, \"size\": \"1G\"}", "path must be a string"),
                Arguments.of("notifyGuest as string", "{\"path\": \"/d\", \"size\": \"1G\", \"notifyGuest\": \"true\"}", "notifyGuest must be true or false"),
                Arguments.of("growFilesystem as number", "{\"path\": \"/d\", \"size\": \"1G\", \"growFilesystem\": 1}", "growFilesystem must be true or false"),
                Arguments.of("reason as number", "{\"path\": \"/d\", \"size\": \"1G\", \"reason\": 5}", "reason must be a string"),
                Arguments.of("vm of 256 characters", "{\"vm\": \"" + "v".repeat(256) + "\", \"target\": \"vdb\", \"size\": \"1G\"}", "vm is longer than 255"),
                Arguments.of("target of 65 characters", "{\"vm\": \"v\", \"target\": \"" + "t".repeat(65) + "\", \"size\": \"1G\"}", "target is longer than 64"),
                Arguments.of("pool of 256 characters", "{\"pool\": \"" + "p".repeat(256) + "\", \"volume\": \"x\", \"size\": \"1G\"}", "pool is longer than 255"),
                Arguments.of("volume of 1025 characters", "{\"pool\": \"p\", \"volume\": \"" + "x".repeat(1025) + "\", \"size\": \"1G\"}", "volume is longer than 1024"),
                Arguments.of("path of 4001 characters", "{\"path\": \"/" + "d".repeat(4000) + "\", \"size\": \"1G\"}", "path is longer than 4000"),
                Arguments.of("reason of 501 characters", "{\"path\": \"/d\", \"size\": \"1G\", \"reason\": \"" + "x".repeat(501) + "\"}", "501 characters")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void invalidRequestIs400InvalidRequestAndStartsNothing(String name, String json, String detail) throws Exception {
        postResize(json)
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.title").value("Bad Request"))
                .andExpect(jsonPath("$.instance").value("/api/resizes"))
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString(detail)));
        verify(resizeService, never()).start(any(), any());
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(strings = {"\"abc\"", "\"\"", "0", "\"0G\"", "-1", "\"-5G\"", "\"1e9\"", "1.5", "true", "{\"value\": 5}",
            "[1]", "9007199254740993", "\"8193T\"", "99999999999999999999999999", "\"20 XB\""})
    void invalidSizeIs400InvalidSizeAndStartsNothing(String size) throws Exception {
        postResize("{\"vm\": \"vm1\", \"target\": \"vdb\", \"size\": " + size + "}")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_SIZE"));
        verify(resizeService, never()).start(any(), any());
    }

    @Test
    void theRequestIsCheckedBeforeTheSize() throws Exception {
        postResize("{\"vm\": \"vm1\", \"size\": \"garbage\"}").andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
    }

    @Test
    void twoToThe53BytesIsStillASize() throws Exception {
        when(resizeService.start(any(), anyString())).thenReturn(running("x"));
        postResize("{\"path\": \"/d\", \"size\": 9007199254740992}").andExpect(status().isAccepted());
        assertThat(startedWith().size()).isEqualTo(9007199254740992L);
    }

    @Test
    void wrongContentTypeIs415WithInvalidRequest() throws Exception {
        mvc.perform(post("/api/resizes").with(demo()).contentType(MediaType.TEXT_PLAIN)
                        .content("{\"path\": \"/d\", \"size\": \"1G\"}"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(header().string("Accept", org.hamcrest.Matchers.containsString("application/json")));
        verify(resizeService, never()).start(any(), any());
    }

    @Test
    void missingContentTypeIs415Too() throws Exception {
        mvc.perform(post("/api/resizes").with(demo()).content("{\"path\": \"/d\", \"size\": \"1G\"}"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
    }

    @Test
    void aBodyOver64KiBIs413AndNotRead() throws Exception {
        String padding = "x".repeat(64 * 1024);
        postResize("{\"path\": \"/d\", \"size\": \"1G\", \"reason\": \"" + padding + "\"}")
                .andExpect(status().isPayloadTooLarge())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail").value("the request body is larger than 64 KiB"));
        verify(resizeService, never()).start(any(), any());
    }

    @Test
    void askingForCsvFromPostIs406BeforeAnythingStarts() throws Exception {
        mvc.perform(post("/api/resizes").with(demo()).contentType(MediaType.APPLICATION_JSON)
                        .accept("text/csv").content("{\"path\": \"/d\", \"size\": \"1G\"}"))
                .andExpect(status().isNotAcceptable());
        verify(resizeService, never()).start(any(), any());
    }

    // --- the service's rejections ---

    @ParameterizedTest
    @EnumSource(RejectionCode.class)
    void everyRejectionCodeGetsItsStatus(RejectionCode code) throws Exception {
        when(resizeService.start(any(), anyString())).thenThrow(new ResizeRejectedException(code, "because " + code));

        postResize("{\"vm\": \"vm1\", \"target\": \"vdb\", \"size\": \"20G\"}")
                .andExpect(status().is(code.httpStatus()))
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value(code.name()))
                .andExpect(jsonPath("$.status").value(code.httpStatus()))
                .andExpect(jsonPath("$.detail").value("because " + code))
                .andExpect(jsonPath("$.type").value("about:blank"))
                .andExpect(jsonPath("$.instance").value("/api/resizes"));
    }

    // --- reading ---

    @Test
    void getReturnsTheResizeWithTheContractsFieldNames() throws Exception {
        when(resizeService.find("pi-9")).thenReturn(Optional.of(complete("pi-9")));

        String body = mvc.perform(get("/api/resizes/pi-9").with(demo()))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andReturn().getResponse().getContentAsString();

        JsonNode json = objectMapper.readTree(body);
        assertThat(fieldNames(json)).containsExactlyInAnyOrder("id", "status", "noop", "disk", "oldSize",
                "requestedSize", "newSize", "vms", "guest", "requestedBy", "reason", "startedAt", "endedAt", "steps", "error");
        assertThat(fieldNames(json.get("disk"))).containsExactlyInAnyOrder("path", "pool", "volume", "format", "preallocated");
        assertThat(fieldNames(json.get("vms").get(0))).containsExactlyInAnyOrder("name", "host", "target", "status", "capacity");
        assertThat(fieldNames(json.get("guest").get(0))).containsExactlyInAnyOrder("vm", "status", "guestSize", "filesystem");
        assertThat(fieldNames(json.get("steps").get(0))).containsExactlyInAnyOrder("name", "status", "startedAt", "endedAt", "detail", "durationMs");
        assertThat(fieldNames(json.get("error"))).containsExactlyInAnyOrder("code", "message");
        assertThat(json.get("reason").isNull()).isTrue();
        assertThat(json.get("oldSize").asLong()).isEqualTo(1073741824L);
        assertThat(json.get("endedAt").asText()).isEqualTo("2025-01-31T12:00:03.250Z");
        assertThat(json.get("steps").get(0).get("startedAt").asText()).isEqualTo("2025-01-31T12:00:00Z");
    }

    @Test
    void unknownResizeIs404UnknownResize() throws Exception {
        when(resizeService.find("nope")).thenReturn(Optional.empty());
        mvc.perform(get("/api/resizes/nope").with(demo()))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("UNKNOWN_RESIZE"))
                .andExpect(jsonPath("$.instance").value("/api/resizes/nope"));
    }

    @Test
    void listFiltersByStatusDiskAndVm() throws Exception {
        when(resizeService.list(ResizeStatus.NEEDS_ATTENTION, "/var/lib/libvirt/images/d1.qcow2", "vm1", null, 100))
                .thenReturn(new Page<>(List.of(running("a"), running("b")), null));
        mvc.perform(get("/api/resizes").with(demo())
                        .param("status", "needs_attention").param("disk", "/var/lib/libvirt/images/d1.qcow2")
                        .param("vm", "vm1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(2))
                .andExpect(jsonPath("$[1].id").value("b"))
                .andExpect(header().doesNotExist("Link"));
    }

    @Test
    void listWithoutFiltersAsksForTheFirstHundred() throws Exception {
        when(resizeService.list(null, null, null, null, 100)).thenReturn(new Page<>(List.of(), null));
        mvc.perform(get("/api/resizes").with(demo()).param("status", "").param("disk", "").param("vm", ""))
                .andExpect(status().isOk())
                .andExpect(content().json("[]"));
        verify(resizeService).list(null, null, null, null, 100);
    }

    @Test
    void aFullPageLinksToTheNextWithTheSameFiltersAndACursorThatReadsBackAsTheLastKey() throws Exception {
        ResizeKey last = new ResizeKey(Instant.parse("2025-01-31T12:00:00.123456Z"), "pi-b");
        when(resizeService.list(eq(ResizeStatus.COMPLETED), eq("/images/a b+c.qcow2"), eq("vm 1"), any(), eq(2)))
                .thenReturn(new Page<>(List.of(running("pi-a"), running("pi-b")), last));

        String link = mvc.perform(get("/api/resizes").with(demo()).param("status", "completed")
                        .param("disk", "/images/a b+c.qcow2").param("vm", "vm 1").param("limit", "2"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(2))
                .andReturn().getResponse().getHeader("Link");

        assertThat(link).matches("</api/resizes\\?status=COMPLETED&disk=/images/a%20b%2Bc.qcow2&vm=vm%201&limit=2"
                + "&cursor=[A-Za-z0-9_-]+>; rel=\"next\"");
        String next = link.substring(1, link.indexOf('>'));
        mvc.perform(get(java.net.URI.create(next)).with(demo())).andExpect(status().isOk());
        verify(resizeService).list(ResizeStatus.COMPLETED, "/images/a b+c.qcow2", "vm 1", last, 2);
    }

    @Test
    void theLinkKeepsTheContextPath() throws Exception {
        when(resizeService.list(null, null, null, null, 1))
                .thenReturn(new Page<>(List.of(running("pi-a")), new ResizeKey(STARTED, "pi-a")));
        mvc.perform(get("/vdresize/api/resizes").contextPath("/vdresize").with(demo()).param("limit", "1"))
                .andExpect(status().isOk())
                .andExpect(header().string("Link", org.hamcrest.Matchers.startsWith("</vdresize/api/resizes?limit=1&cursor=")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1001", "ten", "1.5", "99999999999"})
    void aBadLimitIs400InvalidRequest(String limit) throws Exception {
        mvc.perform(get("/api/resizes").with(demo()).param("limit", limit))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("limit must be a whole number from 1 to 1000")));
        verify(resizeService, never()).list(any(), any(), any(), any(), anyInt());
    }

    @Test
    void limitsFromOneToAThousandAreTaken() throws Exception {
        when(resizeService.list(any(), any(), any(), any(), anyInt())).thenReturn(new Page<>(List.of(), null));
        mvc.perform(get("/api/resizes").with(demo()).param("limit", "1")).andExpect(status().isOk());
        mvc.perform(get("/api/resizes").with(demo()).param("limit", "1000")).andExpect(status().isOk());
        verify(resizeService).list(null, null, null, null, 1);
        verify(resizeService).list(null, null, null, null, 1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!", "abc", "cmVzaXplcw", "YXVkaXQAMQ", "cmVzaXplcwB5ZXN0ZXJkYXkAcGktYQ",
            "cmVzaXplcwAyMDI1LTAxLTMxVDEyOjAwOjAwWgBwaS1hAGV4dHJh"})
    void aCursorThisListDidNotGiveOutIs400(String cursor) throws Exception {
        // not base64url; no key; another list's ("audit"); "yesterday" for an instant; a part too many
        mvc.perform(get("/api/resizes").with(demo()).param("cursor", cursor))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("cursor")));
        verify(resizeService, never()).list(any(), any(), any(), any(), anyInt());
    }

    @Test
    void unknownStatusIs400InvalidRequest() throws Exception {
        mvc.perform(get("/api/resizes").with(demo()).param("status", "DONE"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("WAITING_FOR_APPROVAL")));
        verify(resizeService, never()).list(any(), any(), any(), any(), anyInt());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
