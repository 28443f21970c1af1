package org.vdresize.testsupport;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** A private PostgreSQL with one database (user and password named alike) migrated by vdresize's Flyway scripts. */
public final class MigratedPostgres implements AutoCloseable {

    private final PostgresServer server;
    private final DataSource dataSource;

    private MigratedPostgres(PostgresServer server, DataSource dataSource) {
        this.server = server;
        this.dataSource = dataSource;
    }

    public static MigratedPostgres start(String database) {
        PostgresServer server = PostgresServer.start();
        try {
            DataSource db = new DriverManagerDataSource(server.createDatabase(database), database, database);
            Flyway.configure().dataSource(db).load().migrate();
            return new MigratedPostgres(server, db);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        server.close();
    }
}
