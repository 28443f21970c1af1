package org.vdresize.testsupport;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A private PostgreSQL with one database (user and password named alike) migrated by vdresize's Flyway
 * scripts, for the tests of one class: a static {@code @RegisterExtension} field, started before the
 * class's tests and stopped after them.
 */
public final class MigratedPostgres implements BeforeAllCallback, AfterAllCallback {

    private final String database;
    private PostgresServer server;
    private DataSource dataSource;

    public MigratedPostgres(String database) {
        this.database = database;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = PostgresServer.start();
        DataSource db = new DriverManagerDataSource(server.createDatabase(database), database, database);
        Flyway.configure().dataSource(db).load().migrate();
        dataSource = db;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }
}
