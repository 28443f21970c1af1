package db.migration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On PostgreSQL, creates the engine's ACT_* tables with Camunda's own create scripts, the ones in
 * the camunda-engine jar on the classpath (docs/adr/0008-engine-schema-by-flyway.md). Flyway runs
 * it under its lock, before the engine is built, so nodes starting together on an empty database do
 * not race; the engine itself only checks the schema there ({@code camunda.bpm.database.schema-update:
 * false} in the postgres profile). A database whose engine tables exist already (made by an earlier
 * vdresize, which let the engine create them) is left as it is.
 *
 * <p>On any other database (H2, the single-node default) it does nothing: the engine creates and
 * updates its own schema there.
 */
public class V9__engine_schema_on_postgresql extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V9__engine_schema_on_postgresql.class);

    /** In the order the engine itself creates them (engine, history, identity, CMMN, DMN). */
    static final List<String> SCRIPTS = List.of("engine", "history", "identity", "case.engine", "case.history",
            "decision.engine", "decision.history");
    static final String SCRIPT_PATH = "org/camunda/bpm/engine/db/create/activiti.postgres.create.%s.sql";

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
            return;
        }
        if (engineTablesExist(connection)) {
            log.info("engine schema: the ACT_* tables exist already; left as they are");
            return;
        }
        for (String script : SCRIPTS) {
            for (String statement : statements(String.format(SCRIPT_PATH, script))) {
                try (Statement s = connection.createStatement()) {
                    s.execute(statement);
                }
            }
        }
        log.info("engine schema: created the ACT_* tables with Camunda's scripts ({})", SCRIPTS);
    }

    private static boolean engineTablesExist(Connection connection) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet tables = meta.getTables(null, connection.getSchema(), "act_ge_property", new String[] {"TABLE"})) {
            return tables.next();
        }
    }

    /** Split the way the engine splits its own scripts: whole lines, a statement ends with ';'. */
    static List<String> statements(String resource) {
        InputStream in = V9__engine_schema_on_postgresql.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("no " + resource + " on the classpath (camunda-engine)");
        }
        List<String> statements = new java.util.ArrayList<>();
        StringBuilder statement = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String trimmed = line.trim();
                if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                    continue;
                }
                if (trimmed.endsWith(";")) {
                    statement.append(trimmed, 0, trimmed.length() - 1);
                    statements.add(statement.toString());
                    statement.setLength(0);
                } else {
                    statement.append(trimmed).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!statement.toString().isBlank()) {
            throw new IllegalStateException(resource + " ends inside a statement: " + statement);
        }
        return statements;
    }
}
