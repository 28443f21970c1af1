package org.vdresize.audit;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The audit trail as RFC 4180 CSV (CRLF line ends, quotes doubled), one format for the export
 * ({@code GET /api/audit} with {@code Accept: text/csv}) and the retention's archive files, so that
 * both are read, and their hash chain checked offline, alike. Cells that a spreadsheet would take
 * for a formula get a leading apostrophe (OWASP "CSV injection"): a VM name, a reason or a user name
 * is text chosen by someone other than the person opening the file. A text that starts with an
 * apostrophe gets one too, so that removing one leading apostrophe always gives the value back: the
 * offline check hashes the values, not the cells.
 */
public final class AuditCsvFormat {

    public static final String HEADER = "at,type,resizeId,disk,vm,user,oldSize,newSize,detail,seq,prevHash,hash";
    public static final String CRLF = "\r\n";

    private AuditCsvFormat() {
    }

    /** One event as one CSV record, with its line end. */
    public static String line(AuditEvent e) {
        return Stream.of(e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(), e.oldSize(), e.newSize(), e.detail(),
                        e.seq(), e.prevHash(), e.hash())
                .map(AuditCsvFormat::cell)
                .collect(Collectors.joining(",")) + CRLF;
    }

    public static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        // = + - @ start formulas; tab and CR are also read as formula starts by some spreadsheets;
        // ' itself, so that the prefix can always be taken off again
        if (!text.isEmpty() && "=+-@\t\r'".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            text = '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
