package org.vdresize.resize;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class ResizePagingH2Test extends ResizePagingContract {

    private static final DataSource DB = migrated();

    private static DataSource migrated() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:resize-paging;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).load().migrate();
        return ds;
    }

    @Override
    protected DataSource dataSource() {
        return DB;
    }
}
