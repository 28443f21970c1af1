package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vdresize.inventory.DiskChecks;

class ErrorCodeTest {

    @Test
    void aStoredCodeNamesOneConstant() {
        assertThat(Stream.concat(Arrays.stream(RejectionCode.values()), Arrays.stream(FailureCode.values()))
                .map(Enum::name)).doesNotHaveDuplicates();
        assertThat(ErrorCode.of("DISK_BUSY")).contains(RejectionCode.DISK_BUSY);
        assertThat(ErrorCode.of("NOT_APPROVED")).contains(FailureCode.NOT_APPROVED);
        assertThat(ErrorCode.of("disk_busy")).isEmpty();
        assertThat(ErrorCode.of(null)).isEmpty();
    }

    @Test
    void theDiskChecksAnswerWithTheContractsCodeOfTheSameName() {
        for (DiskChecks.Code code : DiskChecks.Code.values()) {
            assertThat(RejectionCode.of(code).name()).isEqualTo(code.name());
        }
    }
}
