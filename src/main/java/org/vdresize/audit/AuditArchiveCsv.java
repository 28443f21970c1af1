package org.vdresize.audit;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An archive file's lines: the same CSV as {@code GET /api/audit} with {@code Accept: text/csv}
 * (RFC 4180, CRLF; a cell a spreadsheet would take for a formula, or one starting with an
 * apostrophe, gets a leading apostrophe), so that an archive is read, and its hash chain checked
 * offline, like an export.
 */
final class AuditArchiveCsv {

    static final String HEADER = "at,type,resizeId,disk,vm,user,oldSize,newSize,detail,seq,prevHash,hash";
    static final String CRLF = "\r\n";

    private AuditArchiveCsv() {
    }

    static String line(AuditEvent e) {
        return Stream.of(e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(), e.oldSize(), e.newSize(), e.detail(),
                        e.seq(), e.prevHash(), e.hash())
                .map(AuditArchiveCsv::cell)
                .collect(Collectors.joining(",")) + CRLF;
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r'".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            text = '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
