package org.vdresize.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FillProjectionTest {

    private static final long MIB = 1L << 20;
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static FillProjection.Point at(long minutes, long usedMib, long totalMib) {
        return new FillProjection.Point(T0.plusSeconds(minutes * 60), usedMib * MIB, totalMib * MIB);
    }

    @Test
    void aSteadyFillIsProjectedFromTheSlope() {
        // 10 MiB per hour, 30 MiB free: 3 h
        double hours = FillProjection.hoursToFull(List.of(at(0, 50, 100), at(30, 55, 100), at(60, 60, 100), at(120, 70, 100)));
        assertThat(hours).isCloseTo(3.0, within(0.01));
    }

    @Test
    void aFilesystemThatDoesNotFillOrHasTooFewSamplesHasNoProjection() {
        assertThat(FillProjection.hoursToFull(List.of(at(0, 50, 100)))).isEqualTo(PolicyInputs.UNKNOWN_HOURS);
        assertThat(FillProjection.hoursToFull(List.of(at(0, 50, 100), at(60, 50, 100)))).isEqualTo(PolicyInputs.UNKNOWN_HOURS);
        assertThat(FillProjection.hoursToFull(List.of(at(0, 60, 100), at(60, 50, 100)))).isEqualTo(PolicyInputs.UNKNOWN_HOURS);
        // two samples less than a minute apart tell nothing
        assertThat(FillProjection.hoursToFull(List.of(new FillProjection.Point(T0, 10 * MIB, 100 * MIB),
                new FillProjection.Point(T0.plusSeconds(20), 20 * MIB, 100 * MIB)))).isEqualTo(PolicyInputs.UNKNOWN_HOURS);
    }

    @Test
    void onlySamplesOfTheCurrentSizeCountAfterAGrow() {
        // before the grow it filled fast; since (200 MiB) it fills 10 MiB per hour with 100 MiB free: 10 h
        double hours = FillProjection.hoursToFull(List.of(at(0, 10, 100), at(30, 90, 100), at(60, 90, 200),
                at(120, 100, 200)));
        assertThat(hours).isCloseTo(10.0, within(0.01));
    }
}
