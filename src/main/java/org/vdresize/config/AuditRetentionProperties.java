package org.vdresize.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit trail's own retention ({@code vdresize.audit.*}, docs/operator-guide.md, "History and
 * retention"). Off by default: the trail is kept for ever.
 *
 * @param retention          events older than this are archived to a CSV file, then removed from the
 *                           database (for instance {@code P3650D}); unset: kept for ever
 * @param archiveDirectory   where the archive files are written (created when missing)
 * @param retentionSchedule  when the retention runs (a Spring cron expression, the JVM's time zone)
 * @param retentionBatch     events per archive file (and per transaction, during which new events wait)
 */
@ConfigurationProperties("vdresize.audit")
public record AuditRetentionProperties(Duration retention,
                                       @DefaultValue("data/audit-archive") Path archiveDirectory,
                                       @DefaultValue("0 30 5 * * *") String retentionSchedule,
                                       @DefaultValue("5000") int retentionBatch) {

    public AuditRetentionProperties {
        if (retention != null && (retention.isZero() || retention.isNegative())) {
            throw new IllegalArgumentException("vdresize.audit.retention must be a positive duration such as P3650D"
                    + " (or unset: the audit trail is kept for ever), not " + retention);
        }
        if (retentionBatch < 1) {
            throw new IllegalArgumentException("vdresize.audit.retention-batch must be at least 1, not " + retentionBatch);
        }
    }
}
