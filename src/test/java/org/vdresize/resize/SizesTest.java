package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '=', value = {
            "0 = 0 B",
            "1 = 1 B",
            "1023 = 1023 B",
            "1024 = 1 KiB",
            "1536 = 1.5 KiB",
            "1048576 = 1 MiB",
            "2147483648 = 2 GiB",
            "1610612736 = 1.5 GiB",
            "1000000000 = 953.67 MiB",
            "1099511627776 = 1 TiB",
            "9007199254740992 = 8 PiB",
            "1073741823 = 1 GiB",
            "1073741824000 = 1000 GiB",
            "9223372036854775807 = 8 EiB",
            "-1073741824 = -1 GiB",
            "-9223372036854775808 = -8 EiB",
    })
    void format(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }
}
