package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.audit.AuditVerification;

/**
 * The one-line offline check of an exported CSV, exactly as docs/operator-guide.md prints it, run
 * with python3 on a CSV that AuditCsv wrote from a real trail (H2 with the migrations): it accepts
 * the untouched file and refuses one with a changed cell or a removed row.
 */
class AuditCsvOfflineCheckTest {

    static final Path GUIDE = Path.of("docs/operator-guide.md");

    @TempDir Path dir;
    JdbcTemplate jdbc;
    AuditService audit;

    @BeforeEach
    void trail() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:csvcheck" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).load().migrate();
        jdbc = new JdbcTemplate(ds);
        audit = new AuditService(jdbc, Clock.systemUTC(), new DataSourceTransactionManager(ds));
        audit.record(AuditType.RESIZE_REQUESTED, "pi-1", "/var/lib/libvirt/images/a,b.qcow2", "vm1", "demo", 1L << 30,
                (1L << 30) + (5L << 20), "+5M: disk full, \"urgent\"");
        audit.record(AuditType.RESIZE_REJECTED, null, "vm:vdb", "=HYPERLINK(\"http://x\")", "'quoted", null, null,
                "INVALID_REQUEST: line one\r\nline two\nline three");
        audit.record(AuditType.RESIZE_APPROVED, "pi-1", "/var/lib/libvirt/images/a,b.qcow2", null, "bob", null, null,
                "approved by bob");
        audit.record(AuditType.OPERATOR_DECISION, "pi-1", "/d", "\tvm2", "@admin", null, null, "-1 +1 größer 🚀 REMOVE-ME");
        audit.record(AuditType.RESIZE_COMPLETED, "pi-1", "/d", "", "", 0L, null, "'");
    }

    @AfterEach
    void drop() {
        jdbc.execute("shutdown");
    }

    @Test
    void theDocumentedOneLinerAcceptsAnExportedTrail() throws Exception {
        AuditVerification v = audit.verify();
        assertThat(v.status()).isEqualTo(AuditVerification.Status.INTACT);
        export(AuditCsv.write(audit.query(null, null, null)));

        Result r = run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("INTACT: 5 entries, last hash " + v.lastHash());
    }

    @Test
    void itFollowsTheChainWhateverTheOrderOfTheRows() throws Exception {
        List<org.vdresize.audit.AuditEvent> events = new java.util.ArrayList<>(audit.query(null, null, null));
        java.util.Collections.reverse(events);
        export(AuditCsv.write(events));

        Result r = run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("INTACT: 5 entries");
    }

    @Test
    void itRefusesAChangedCell() throws Exception {
        String csv = AuditCsv.write(audit.query(null, null, null));
        export(csv.replace("approved by bob", "approved by eve"));

        Result r = run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("BROKEN at entry 3");
    }

    @Test
    void itRefusesARemovedRow() throws Exception {
        String csv = AuditCsv.write(audit.query(null, null, null));
        int at = csv.indexOf("-1 +1 größer");
        int start = csv.lastIndexOf("\r\n", at) + 2;
        int end = csv.indexOf("\r\n", at) + 2;
        export(csv.substring(0, start) + csv.substring(end));

        Result r = run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("BROKEN at entry 5");
    }

    @Test
    void itRefusesACellChangedInTheDatabaseBeforeTheExport() throws Exception {
        jdbc.update("update vdr_audit_event set user_id = 'alice' where seq = 3");
        export(AuditCsv.write(audit.query(null, null, null)));

        Result r = run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("BROKEN at entry 3");
    }

    record Result(int exit, String out, String err) {
    }

    private void export(String csv) throws IOException {
        Files.writeString(dir.resolve("audit.csv"), csv, StandardCharsets.UTF_8);
    }

    /** The guide's command, run by bash in the folder of audit.csv. */
    private Result run() throws Exception {
        String command = oneLiner();
        Process p = new ProcessBuilder("bash", "-c", command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }

    /** The one line of the guide that runs the check: it starts with python3 -c and names audit.csv. */
    static String oneLiner() throws IOException {
        List<String> lines = Files.readAllLines(GUIDE, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("python3 -c ") && l.endsWith(" audit.csv")).toList();
        assertThat(lines).as("the offline check in " + GUIDE).hasSize(1);
        return lines.get(0);
    }
}
