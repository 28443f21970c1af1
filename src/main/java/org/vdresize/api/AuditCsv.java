package org.vdresize.api;

import java.util.List;
import org.vdresize.audit.AuditCsvFormat;
import org.vdresize.audit.AuditEvent;

/** The audit trail's CSV ({@link AuditCsvFormat}) for the API: whole, or a header to stream lines after. */
final class AuditCsv {

    static final String HEADER = AuditCsvFormat.HEADER;

    private AuditCsv() {
    }

    static String write(List<AuditEvent> events) {
        StringBuilder csv = new StringBuilder(headerLine());
        events.forEach(e -> csv.append(line(e)));
        return csv.toString();
    }

    /** The header line, to begin a CSV written line by line. */
    static String headerLine() {
        return HEADER + AuditCsvFormat.CRLF;
    }

    /** One event as one CSV record, with its line end. */
    static String line(AuditEvent e) {
        return AuditCsvFormat.line(e);
    }

    static String cell(Object value) {
        return AuditCsvFormat.cell(value);
    }
}
