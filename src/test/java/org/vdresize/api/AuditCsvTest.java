package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditCsvTest {

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "plain | plain",
            "`` | ``",
            "a,b | `\"a,b\"`",
            "say \"hi\" | `\"say \"\"hi\"\"\"`",
            "=1+1 | '=1+1",
            "+5G | '+5G",
            "-5G | '-5G",
            "@SUM(A1) | '@SUM(A1)",
            "=HYPERLINK(\"x\",\"y\") | `\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"`",
            "a=b | a=b",
            // an apostrophe of the value's own is kept: one leading apostrophe is always the export's
            "'quoted | ''quoted",
            "it's | it's",
            "5-3 | 5-3",
    })
    void cells(String value, String cell) {
        assertThat(AuditCsv.cell(value)).isEqualTo(cell);
    }

    @org.junit.jupiter.api.Test
    void controlCharactersThatStartFormulasAndLineBreaks() {
        assertThat(AuditCsv.cell("\tcmd")).isEqualTo("'\tcmd");
        assertThat(AuditCsv.cell("\rcmd")).isEqualTo("\"'\rcmd\"");
        assertThat(AuditCsv.cell("a\nb")).isEqualTo("\"a\nb\"");
        assertThat(AuditCsv.cell(null)).isEmpty();
        assertThat(AuditCsv.cell(42L)).isEqualTo("42");
    }
}
