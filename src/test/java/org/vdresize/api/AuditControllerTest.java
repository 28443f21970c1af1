package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.vdresize.audit.AuditEvent;
import org.vdresize.audit.AuditFilter;

class AuditControllerTest extends ApiSliceTest {

    private static final Instant T1 = Instant.parse("2025-01-31T12:00:00Z");
    private static final Instant T2 = Instant.parse("2025-01-31T12:00:01.500Z");
    private static final String HEADER = "at,type,resizeId,disk,vm,user,oldSize,newSize,detail,seq,prevHash,hash\r\n";

    private final List<AuditEvent> events = List.of(
            new AuditEvent(T1, "RESIZE_REQUESTED", "pi-1", "/var/lib/libvirt/images/d1.qcow2", "vm1", "demo",
                    1073741824L, null, "reason: disk full, \"urgent\"", 1L, "0".repeat(64), "ab".repeat(32)),
            new AuditEvent(T2, "RESIZE_REJECTED", "pi-2", "/d,2", "=HYPERLINK(\"http://x\")", "@evil", null, null,
                    "line one\nline two", 2L, "ab".repeat(32), "cd".repeat(32)));

    @BeforeEach
    void audit() {
        when(auditService.page(any(), any(), anyInt())).thenReturn(events);
        doAnswer(call -> {
            events.forEach(call.<Consumer<AuditEvent>>getArgument(1));
            return null;
        }).when(auditService).forEach(any(), any());
    }

    private String csv(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request.with(demo()))
                .andExpect(status().isOk())
                .andExpect(content().contentType("text/csv;charset=UTF-8"))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
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
                .andExpect(jsonPath("$[1].at").value("2025-01-31T12:00:01.500Z"))
                .andExpect(header().doesNotExist("Link"));
        // one more than the page tells whether there is a next one
        verify(auditService).page(AuditFilter.ALL, null, 101);
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
        assertThat(csv(get("/api/audit").header("Accept", accept))).startsWith(HEADER);
    }

    @Test
    void csvHasTheHeaderLineQuotesAndNeutralisedFormulas() throws Exception {
        assertThat(csv(get("/api/audit").accept("text/csv"))).isEqualTo(HEADER
                + "2025-01-31T12:00:00Z,RESIZE_REQUESTED,pi-1,/var/lib/libvirt/images/d1.qcow2,vm1,demo,1073741824,,"
                + "\"reason: disk full, \"\"urgent\"\"\",1," + "0".repeat(64) + "," + "ab".repeat(32) + "\r\n"
                + "2025-01-31T12:00:01.500Z,RESIZE_REJECTED,pi-2,\"/d,2\",\"'=HYPERLINK(\"\"http://x\"\")\",'@evil,,,"
                + "\"line one\nline two\",2," + "ab".repeat(32) + "," + "cd".repeat(32) + "\r\n");
    }

    @Test
    void csvOfNothingIsTheHeaderLine() throws Exception {
        doAnswer(call -> null).when(auditService).forEach(any(), any());
        assertThat(csv(get("/api/audit").accept("text/csv"))).isEqualTo(HEADER);
    }

    @Test
    void csvIsEveryMatchingEntryWithoutLimitAndNeverAPage() throws Exception {
        csv(get("/api/audit").accept("text/csv").param("type", "resize_completed").param("resizeId", "pi-7")
                .param("limit", "5"));
        verify(auditService).forEach(eq(new AuditFilter(null, null, null, "RESIZE_COMPLETED", "pi-7")), any());
        verify(auditService, never()).page(any(), any(), anyInt());
        verify(auditService, never()).query(any(), any(), any());
    }

    @Test
    void csvIsWrittenToTheClientWhileTheEntriesAreStillBeingRead() throws Exception {
        // the service hands out 2,000 entries, looks at what the response holds so far, then 2,000 more
        AtomicInteger writtenMidway = new AtomicInteger(-1);
        AuditEvent row = events.get(0);
        doAnswer(call -> {
            Consumer<AuditEvent> each = call.getArgument(1);
            for (int i = 0; i < 2000; i++) {
                each.accept(row);
            }
            writtenMidway.set(theResponse().getContentAsByteArray().length);
            for (int i = 0; i < 2000; i++) {
                each.accept(row);
            }
            return null;
        }).when(auditService).forEach(any(), any());

        String all = csv(get("/api/audit").accept("text/csv"));

        assertThat(all.split("\r\n")).hasSize(4001);
        int oneLine = AuditCsv.line(row).length();
        // all but what the writers' buffers hold (64 KiB of text, 8 KiB of bytes) had reached the response before the rest was read
        assertThat(writtenMidway.get()).isGreaterThan(2000 * oneLine - 80 * 1024).isLessThan(all.length() / 2 + oneLine);
    }

    /** The response of the request being handled, under the wrappers of the security filters. */
    private static MockHttpServletResponse theResponse() {
        ServletResponse response = ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getResponse();
        while (response instanceof ServletResponseWrapper wrapper) {
            response = wrapper.getResponse();
        }
        return (MockHttpServletResponse) response;
    }

    @Test
    void filtersArePassedOn() throws Exception {
        mvc.perform(get("/api/audit").with(demo())
                        .param("disk", "/var/lib/libvirt/images/d1.qcow2")
                        .param("from", "2025-01-01T00:00:00Z")
                        .param("to", "2025-02-01T01:00:00+01:00")
                        .param("type", "storage_extended")
                        .param("resizeId", "pi-1"))
                .andExpect(status().isOk());
        verify(auditService).page(new AuditFilter("/var/lib/libvirt/images/d1.qcow2", Instant.parse("2025-01-01T00:00:00Z"),
                Instant.parse("2025-02-01T00:00:00Z"), "STORAGE_EXTENDED", "pi-1"), null, 101);
    }

    @Test
    void aFullPageLinksToTheNextWithTheFiltersAndStartsItAfterTheLastSeq() throws Exception {
        when(auditService.page(any(), any(), eq(2))).thenReturn(List.of(events.get(0), events.get(1), events.get(1)));

        String link = mvc.perform(get("/api/audit").with(demo()).param("limit", "1")
                        .param("disk", "/d,2").param("to", "2025-02-01T01:00:00+01:00").param("type", "RESIZE_REJECTED"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(1))
                .andReturn().getResponse().getHeader("Link");
        assertThat(link).matches("</api/audit\\?disk=/d%2C2&to=2025-02-01T00:00:00Z&type=RESIZE_REJECTED&limit=1"
                + "&cursor=[A-Za-z0-9_-]+>; rel=\"next\"");

        mvc.perform(get(java.net.URI.create(link.substring(1, link.indexOf('>')))).with(demo())).andExpect(status().isOk());
        verify(auditService).page(new AuditFilter("/d,2", null, Instant.parse("2025-02-01T00:00:00Z"), "RESIZE_REJECTED",
                null), 1L, 2);
    }

    @Test
    void anUnknownTypeIs400() throws Exception {
        mvc.perform(get("/api/audit").with(demo()).param("type", "RESIZE_DONE"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail", containsString("RESIZE_COMPLETED")));
        verify(auditService, never()).page(any(), any(), anyInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=all", "cursor=nope!", "cursor=YXVkaXQAb25l",
            "cursor=ZGlza3MAL2QvYQ"})
    void aBadLimitOrCursorIs400EvenForCsv(String parameter) throws Exception {
        // not base64url; "audit" with a seq that is no number; a cursor of the disks
        String[] p = parameter.split("=", 2);
        for (MediaType accept : List.of(MediaType.APPLICATION_JSON, MediaType.parseMediaType("text/csv"))) {
            mvc.perform(get("/api/audit").with(demo()).accept(accept).param(p[0], p[1]))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
        }
        verify(auditService, never()).page(any(), any(), anyInt());
        verify(auditService, never()).forEach(any(), any());
    }

    @Test
    void anUnencodedPlusInTheOffsetStillWorks() throws Exception {
        // "?to=2025-02-01T01:00:00+01:00" typed into curl: the + arrives as a space
        mvc.perform(get("/api/audit?to=2025-02-01T01:00:00+01:00").with(demo())).andExpect(status().isOk());
        verify(auditService).page(new AuditFilter(null, null, Instant.parse("2025-02-01T00:00:00Z"), null, null), null, 101);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2025-01-01", "2025-13-01T00:00:00Z", "1700000000", "2025-01-01T00:00:00"})
    void badInstantIs400InvalidRequest(String from) throws Exception {
        mvc.perform(get("/api/audit").with(demo()).param("from", from))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"))
                .andExpect(jsonPath("$.detail").value(containsString("from must be an ISO-8601 instant")));
        verify(auditService, never()).page(any(), any(), anyInt());
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
