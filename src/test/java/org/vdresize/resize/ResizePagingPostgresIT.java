package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vdresize.testsupport.MigratedPostgres;

/** {@link ResizePagingContract} on PostgreSQL (the postgres profile), and that a page is an index scan there. */
class ResizePagingPostgresIT extends ResizePagingContract {

    @RegisterExtension
    static final MigratedPostgres pg = new MigratedPostgres("paging");

    @Override
    protected DataSource dataSource() {
        return pg.dataSource();
    }

    @Test
    void aPageDeepInALongListIsAnIndexScan() {
        jdbc.update("insert into vdr_resize (id, status, disk_path, started_at)"
                + " select 'r' || lpad(g::text, 6, '0'), case when g % 10 = 0 then 'FAILED' else 'COMPLETED' end,"
                + " '/d/' || (g % 50), timestamptz '2026-01-01Z' + g * interval '1 second'"
                + " from generate_series(1, 20000) g");
        jdbc.execute("analyze vdr_resize");
        String after = " and r.started_at <= timestamptz '2026-01-01Z' + interval '5000 seconds'"
                + " and (r.started_at < timestamptz '2026-01-01Z' + interval '5000 seconds' or r.id < 'r005000')";
        for (String filter : new String[] {"", " and r.status = 'FAILED'"}) {
            String plan = String.join("\n", jdbc.queryForList("explain select * from vdr_resize r where 1 = 1" + filter
                    + after + " order by r.started_at desc, r.id desc limit 101", String.class));
            assertThat(plan).as(plan).contains("Index Scan").doesNotContain("Sort").doesNotContain("Seq Scan");
        }
    }
}
