package org.vdresize.audit;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The audit trail's retention (vdresize.audit.*, built and checked by config).
 *
 * @param retention        entries older than this are archived, then removed; null: kept for ever
 * @param archiveDirectory where the archive files are written
 * @param batch            entries per archive file (and per transaction)
 */
public record RetentionSettings(Duration retention, Path archiveDirectory, int batch) {
}
