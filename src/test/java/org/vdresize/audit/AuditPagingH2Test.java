package org.vdresize.audit;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class AuditPagingH2Test extends AuditPagingContract {

    private static final DataSource DB = migrated();

    private static DataSource migrated() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:audit-paging;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).load().migrate();
        return ds;
    }

    @Override
    protected DataSource dataSource() {
        return DB;
    }
}
