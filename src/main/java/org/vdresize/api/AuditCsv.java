package org.vdresize.api;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.vdresize.audit.AuditEvent;

/**
 * The audit trail as RFC 4180 CSV (CRLF line ends, quotes doubled). Cells that a spreadsheet would
 * take for a formula get a leading apostrophe (OWASP "CSV injection"): a VM name, a reason or a
 * user name is text chosen by someone other than the person opening the file. A text that starts
 * with an apostrophe gets one too, so that removing one leading apostrophe always gives the value
 * back: the offline check of the hash chain (docs/operator-guide.md) hashes the values, not the cells.
 */
final class AuditCsv {

    static final String HEADER = "at,type,resizeId,disk,vm,user,oldSize,newSize,detail,seq,prevHash,hash";
    private static final String CRLF = "\r\n";

    private AuditCsv() {
    }

    static String write(List<AuditEvent> events) {
        StringBuilder csv = new StringBuilder(HEADER).append(CRLF);
        events.forEach(e -> csv.append(line(e)));
        return csv.toString();
    }

    /** The header line, to begin a CSV written line by line. */
    static String headerLine() {
        return HEADER + CRLF;
    }

    /** One event as one CSV record, with its line end. */
    static String line(AuditEvent e) {
        return Stream.of(e.at(), e.type(), e.resizeId(), e.disk(), e.vm(), e.user(), e.oldSize(), e.newSize(), e.detail(),
                        e.seq(), e.prevHash(), e.hash())
                .map(AuditCsv::cell)
                .collect(Collectors.joining(",", "", CRLF));
    }

    static String cell(Object value) {
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
