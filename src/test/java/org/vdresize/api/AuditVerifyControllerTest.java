package org.vdresize.api;

import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.test.json.JsonCompareMode;
import org.vdresize.audit.AuditVerification;
import org.vdresize.audit.AuditVerification.BrokenEntry;
import org.vdresize.audit.AuditVerification.Problem;
import org.vdresize.audit.AuditVerification.Status;

class AuditVerifyControllerTest extends ApiSliceTest {

    @Test
    void intactSaysHowManyEntriesAndTheLastHash() throws Exception {
        when(auditService.verify()).thenReturn(new AuditVerification(Status.INTACT, 3, 3L, "ab".repeat(32), null));
        mvc.perform(get("/api/audit/verify").with(demo()))
                .andExpect(status().isOk())
                .andExpect(content().json("{\"status\":\"INTACT\",\"entries\":3,\"lastSeq\":3,\"lastHash\":\""
                        + "ab".repeat(32) + "\"}", JsonCompareMode.STRICT));
    }

    @Test
    void brokenNamesTheFirstBrokenEntry() throws Exception {
        when(auditService.verify()).thenReturn(new AuditVerification(Status.BROKEN, 41, null, null,
                new BrokenEntry(42, 57L, Problem.CHANGED, "entry 42 (id 57) does not match its hash")));
        mvc.perform(get("/api/audit/verify").with(demo()))
                .andExpect(status().isOk())
                .andExpect(content().json("{\"status\":\"BROKEN\",\"entries\":41,\"firstBrokenEntry\":{\"seq\":42,\"id\":57,"
                        + "\"problem\":\"CHANGED\",\"detail\":\"entry 42 (id 57) does not match its hash\"}}", JsonCompareMode.STRICT));
    }

    @Test
    void aRemovedEntryHasNoId() throws Exception {
        when(auditService.verify()).thenReturn(new AuditVerification(Status.BROKEN, 2, null, null,
                new BrokenEntry(3, null, Problem.REMOVED, "entry 3 is missing")));
        mvc.perform(get("/api/audit/verify").with(demo()))
                .andExpect(content().json("{\"status\":\"BROKEN\",\"entries\":2,\"firstBrokenEntry\":{\"seq\":3,"
                        + "\"problem\":\"REMOVED\",\"detail\":\"entry 3 is missing\"}}", JsonCompareMode.STRICT));
    }
}
