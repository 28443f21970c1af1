package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.testsupport.TestFiles;

/**
 * The audit trail changed in the database while the application is stopped: the packaged jar
 * ({@link AppJvm}) writes entries to its H2 file, is stopped, one row is changed with plain SQL,
 * and after the restart {@code GET /api/audit/verify} names that entry; with the row put back, the
 * trail is INTACT again with the same last hash.
 */
class AuditTrailIT {

    static Path work;
    static AppJvm app;

    @BeforeAll
    static void folder() throws Exception {
        AppJvm.removeLeftovers(TestFiles::deleteRecursively);
        work = AppJvm.workFolder("audit");
    }

    @AfterAll
    static void cleanUp() {
        if (app != null) {
            app.close();
        }
        if (work != null) {
            TestFiles.deleteRecursively(work);
        }
    }

    @Test
    void aRowChangedUnderAStoppedApplicationIsNamedAfterTheRestart() throws Exception {
        app = AppJvm.start(work, work.resolve("app-1.log"));
        ApiClient api = app.api();
        // rejected requests: audit entries written through the application's own transactions, no VM needed
        for (int i = 1; i <= 4; i++) {
            ApiClient.Response r = api.post("/api/resizes", "{\"vm\":\"vdr-it-absent-" + i + "\",\"target\":\"vdb\",\"size\":\"+1M\"}");
            assertThat(r.status()).as(r.body().toString()).isEqualTo(404);
        }
        JsonNode before = verify(api);
        assertThat(before.path("status").asText()).as(before.toString()).isEqualTo("INTACT");
        long entries = before.path("entries").asLong();
        assertThat(entries).isGreaterThanOrEqualTo(4);
        JsonNode trail = api.get("/api/audit").body();
        assertThat(trail.size()).isEqualTo((int) entries);
        assertThat(trail.get(trail.size() - 1).path("hash").asText()).isEqualTo(before.path("lastHash").asText());
        app.stop();

        // entry 2 by plain SQL: nothing else changed, its hash column untouched
        long seq = 2;
        long id;
        String user;
        try (Connection db = db()) {
            try (PreparedStatement q = db.prepareStatement("select id, user_id from vdr_audit_event where seq = ?")) {
                q.setLong(1, seq);
                try (ResultSet rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    id = rs.getLong(1);
                    user = rs.getString(2);
                }
            }
            update(db, "mallory", seq);
        }

        app = AppJvm.start(work, work.resolve("app-2.log"));
        JsonNode after = verify(app.api());
        assertThat(after.path("status").asText()).as(after.toString()).isEqualTo("BROKEN");
        assertThat(after.at("/firstBrokenEntry/seq").asLong()).as(after.toString()).isEqualTo(seq);
        assertThat(after.at("/firstBrokenEntry/id").asLong()).isEqualTo(id);
        assertThat(after.at("/firstBrokenEntry/problem").asText()).isEqualTo("CHANGED");
        assertThat(after.path("entries").asLong()).isEqualTo(seq - 1);
        app.stop();

        // put back as it was: the chain is whole again, and ends where it ended
        try (Connection db = db()) {
            update(db, user, seq);
        }
        app = AppJvm.start(work, work.resolve("app-3.log"));
        JsonNode restored = verify(app.api());
        assertThat(restored.path("status").asText()).as(restored.toString()).isEqualTo("INTACT");
        assertThat(restored.path("lastHash").asText()).isEqualTo(before.path("lastHash").asText());
        app.stop();
    }

    private static JsonNode verify(ApiClient api) {
        ApiClient.Response r = api.get("/api/audit/verify");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    private static void update(Connection db, String user, long seq) throws Exception {
        try (PreparedStatement u = db.prepareStatement("update vdr_audit_event set user_id = ? where seq = ?")) {
            u.setString(1, user);
            u.setLong(2, seq);
            assertThat(u.executeUpdate()).isOne();
        }
    }

    /** The application's H2 file, opened by this JVM while the application is stopped. */
    private static Connection db() throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + work.resolve("db"), "sa", "");
    }
}
