package org.vdresize.audit;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vdresize.testsupport.MigratedPostgres;

/** {@link AuditPagingContract} on PostgreSQL (the postgres profile), and that a page is an index scan there. */
class AuditPagingPostgresIT extends AuditPagingContract {

    @RegisterExtension
    static final MigratedPostgres pg = new MigratedPostgres("auditpaging");

    @Override
    protected DataSource dataSource() {
        return pg.dataSource();
    }

    @Test
    void aPageDeepInALongTrailIsAnIndexScanWithAndWithoutFilters() {
        jdbc.update("insert into vdr_audit_event (seq, prev_hash, hash, at, type, resize_id, disk)"
                + " select g, 'p', 'h', timestamptz '2026-01-01Z' + g * interval '1 second',"
                + " case when g % 10 = 0 then 'RESIZE_COMPLETED' else 'RESIZE_REQUESTED' end,"
                + " 'pi-' || (g / 10), '/d/' || (g % 50) from generate_series(1, 50000) g");
        jdbc.execute("analyze vdr_audit_event");
        for (String filter : new String[] {"", " and type = 'RESIZE_COMPLETED'", " and resize_id = 'pi-2000'",
                " and disk = '/d/7'"}) {
            String plan = String.join("\n", jdbc.queryForList("explain select * from vdr_audit_event where 1 = 1" + filter
                    + " and seq > 25000 order by seq limit 101", String.class));
            assertThat(plan).as(plan).contains("Index Scan").doesNotContain("Seq Scan");
        }
    }
}
