package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.vdresize.audit.AuditEvent;

class AuditControllerTest extends ApiSliceTest {

    private static final Instant T1 = Instant.parse("2025-01-31T12:00:00Z");
    private static final Instant T2 = Instant.parse("2025-01-31T12:00:01.500Z");

    private final List<AuditEvent> events = List.of(
            new AuditEvent(T1, "RESIZE_REQUESTED", "pi-1", "/var/lib/libvirt/images/d1.qcow2", "vm1", "demo",
                    1073741824L, null, "reason: disk full, \"urgent\"", 1L, "0".repeat(64), "ab".repeat(32)),
            new AuditEvent(T2, "RESIZE_REJECTED", "pi-2", "/d,2", "=HYPERLINK(\"http://x\")", "@evil", null, null,
                    "line one\nline two"));

    @BeforeEach
    void audit() {
        when(auditService.query(any(), any(), any())).thenReturn(events);
    }

    @Test
    void jsonByDefault() throws Exception {
        mvc.perform(get("/api/audit").with(demo()))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$[0].at").value("2025-01-31T12:00:00Z"))
                .andExpect(jsonPath("$[0].type").value("RESIZE_REQUESTED"))
                .andExpect(jsonPath("$[0].resizeId").value("pi-1"))
                .andExpect(jsonPath("$[0].disk").value("/var/lib/libvirt/images/d1.qcow2"))
                .andExpect(jsonPath("$[0].vm").value("vm1"))
                .andExpect(jsonPath("$[0].user").value("demo"))
                .andExpect(jsonPath("$[0].oldSize").value(1073741824L))
                .andExpect(jsonPath("$[0].newSize").value(org.hamcrest.Matchers.nullValue()))
                .andExpect(jsonPath("$[0].seq").value(1))
                .andExpect(jsonPath("$[0].prevHash").value("0".repeat(64)))
                .andExpect(jsonPath("$[0].hash").value("ab".repeat(32)))
                .andExpect(jsonPath("$[1].at").value("2025-01-31T12:00:01.500Z"));
        verify(auditService).query(null, null, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*/*", "application/json", "application/*", "text/csv;q=0.5, application/json",
            "application/json, text/csv", "text/csv;q=0.9, */*"})
    void jsonUnlessCsvIsPreferred(String accept) throws Exception {
        mvc.perform(get("/api/audit").with(demo()).header("Accept", accept))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/csv", "text/*", "text/csv, application/json;q=0.5", "application/json;q=0.1, text/csv",
            "text/csv, */*;q=0.1"})
    void csvWhenPreferred(String accept) throws Exception {
        mvc.perform(get("/api/audit").with(demo()).header("Accept", accept))
                .andExpect(status().isOk())
                .andExpect(content().contentType("text/csv;charset=UTF-8"));
    }

    @Test
    void csvHasTheHeaderLineQuotesAndNeutralisedFormulas() throws Exception {
        String csv = mvc.perform(get("/api/audit").with(demo()).accept("text/csv"))
                .andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(csv).isEqualTo(
                "at,type,resizeId,disk,vm,user,oldSize,newSize,detail,seq,prevHash,hash\r\n"
                        + "2025-01-31T12:00:00Z,RESIZE_REQUESTED,pi-1,/var/lib/libvirt/images/d1.qcow2,vm1,demo,1073741824,,"
                        + "\"reason: disk full, \"\"urgent\"\"\",1," + "0".repeat(64) + "," + "ab".repeat(32) + "\r\n"
                        + "2025-01-31T12:00:01.500Z,RESIZE_REJECTED,pi-2,\"/d,2\",\"'=HYPERLINK(\"\"http://x\"\")\",'@evil,,,"
                        + "\"line one\nline two\",,,\r\n");
    }

    @Test
    void csvOfNothingIsTheHeaderLine() throws Exception {
        when(auditService.query(any(), any(), any())).thenReturn(List.of());
        mvc.perform(get("/api/audit").with(demo()).accept("text/csv"))
                .andExpect(content().string("at,type,resizeId,disk,vm,user,oldSize,newSize,detail,seq,prevHash,hash\r\n"));
    }

    @Test
    void filtersArePassedOn() throws Exception {
        mvc.perform(get("/api/audit").with(demo())
                        .param("disk", "/var/lib/libvirt/images/d1.qcow2")
                        .param("from", "2025-01-01T00:00:00Z")
                        .param("to", "2025-02-01T01:00:00+01:00"))
                .andExpect(status().isOk());
        verify(auditService).query("/var/lib/libvirt/images/d1.qcow2", Instant.parse("2025-01-01T00:00:00Z"),
                Instant.parse("2025-02-01T00:00:00Z"));
    }

    @Test
    void anUnencodedPlusInTheOffsetStillWorks() throws Exception {
        // "?to=2025-02-01T01:00:00+01:00" typed into curl: the + arrives as a space
        mvc.perform(get("/api/audit?to=2025-02-01T01:00:00+01:00").with(demo())).andExpect(status().isOk());
        verify(auditService).query(null, null, Instant.parse("2025-02-01T00:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2025-01-01", "2025-13-01T00:00:00Z", "1700000000", "2025-01-01T00:00:00"})
    void badInstantIs400InvalidRequest(String from) throws Exception {
        mvc.perform(get("/api/audit").with(demo()).param("from", from))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail").value(containsString("from must be an ISO-8601 instant")));
        verify(auditService, never()).query(any(), any(), any());
    }

    @Test
    void badInstantIsAProblemEvenWhenCsvWasAskedFor() throws Exception {
        mvc.perform(get("/api/audit").with(demo()).accept("text/csv").param("to", "soon"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
    }

    @Test
    void fromAfterToIs400() throws Exception {
        mvc.perform(get("/api/audit").with(demo()).param("from", "2025-02-01T00:00:00Z").param("to", "2025-01-01T00:00:00Z"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
    }

    @Test
    void htmlOnlyIs406() throws Exception {
        mvc.perform(get("/api/audit").with(demo()).accept(MediaType.TEXT_HTML))
                .andExpect(status().isNotAcceptable())
                .andExpect(jsonPath("$.code").value("NOT_ACCEPTABLE"));
    }
}
