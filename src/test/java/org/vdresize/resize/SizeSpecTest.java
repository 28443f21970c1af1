package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizeSpecTest {

    private static final long KI = 1024L;
    private static final long MI = KI * KI;
    private static final long GI = MI * KI;
    private static final long TI = GI * KI;
    private static final long TWO_53 = 1L << 53;

    @Nested
    class Units {

        @ParameterizedTest(name = "{0} = {1} bytes")
        @CsvSource(delimiter = '=', value = {
                "1 = 1",
                "1B = 1",
                "1K = 1024",
                "1KiB = 1024",
                "1M = 1048576",
                "1MiB = 1048576",
                "1G = 1073741824",
                "1GiB = 1073741824",
                "1T = 1099511627776",
                "1TiB = 1099511627776",
                "1KB = 1000",
                "1MB = 1000000",
                "1GB = 1000000000",
                "1TB = 1000000000000",
                "20G = 21474836480",
                "20GiB = 21474836480",
                "21474836480 = 21474836480",
        })
        void everyUnit(String text, long bytes) {
            SizeSpec spec = SizeSpec.parse(text);
            assertThat(spec.bytes()).isEqualTo(bytes);
            assertThat(spec.relative()).isFalse();
            assertThat(spec.text()).isEqualTo(text);
        }

        @ParameterizedTest
        @ValueSource(strings = {"20g", "20gib", "20GIB", "20Gib", "20 G", "20  GiB", " 20G ", "\t20 gib\n", "\u200320G\u2003"})
        void caseAndSpacesAreTolerated(String text) {
            assertThat(SizeSpec.parse(text).bytes()).isEqualTo(20 * GI);
        }

        @Test
        void onlyAsciiSpaceMaySeparateNumberAndUnit() {
            assertInvalid("20\u2003G").hasMessageContaining("not a size");
        }

        @Test
        void decimalUnitsAreCaseInsensitiveToo() {
            assertThat(SizeSpec.parse("5gb").bytes()).isEqualTo(5_000_000_000L);
            assertThat(SizeSpec.parse("5 Tb").bytes()).isEqualTo(5_000_000_000_000L);
            assertThat(SizeSpec.parse("7kb").bytes()).isEqualTo(7000);
        }

        @Test
        void surroundingWhitespaceIsNotPartOfTheText() {
            assertThat(SizeSpec.parse("  +5G ").text()).isEqualTo("+5G");
        }

        @ParameterizedTest
        @ValueSource(strings = {"5X", "5P", "5PiB", "5 bytes", "5Gi", "5KBs", "5iB", "5 G B"})
        void unknownUnitsAreRejected(String text) {
            assertInvalid(text);
        }

        @Test
        void unknownUnitMessageListsTheUnits() {
            assertInvalid("5X").hasMessageContaining("unknown unit \"X\"").hasMessageContaining("KiB");
        }
    }

    @Nested
    class Fractions {

        @Test
        void fractionsWithAUnit() {
            assertThat(SizeSpec.parse("1.5T").bytes()).isEqualTo(TI + TI / 2);
            assertThat(SizeSpec.parse("0.5G").bytes()).isEqualTo(GI / 2);
            assertThat(SizeSpec.parse(".5G").bytes()).isEqualTo(GI / 2);
            assertThat(SizeSpec.parse("2.").bytes()).isEqualTo(2);
            assertThat(SizeSpec.parse("1.5GB").bytes()).isEqualTo(1_500_000_000L);
        }

        @Test
        void aFractionOfAByteAfterConversionIsRoundedUp() {
            // 0.3 KiB = 307.2 bytes
            assertThat(SizeSpec.parse("0.3K").bytes()).isEqualTo(308);
            assertThat(SizeSpec.parse("1.5").bytes()).isEqualTo(2);
            assertThat(SizeSpec.parse("0.0001KB").bytes()).isEqualTo(1);
        }

        @Test
        void manyDecimalsStayExact() {
            // 1.1 TiB is 1209462790553.6 bytes, a double product would be off
            assertThat(SizeSpec.parse("1.1T").bytes()).isEqualTo(1_209_462_790_554L);
            assertThat(SizeSpec.parse("0.1G").bytes()).isEqualTo(107_374_183L); // 107374182.4
        }
    }

    @Nested
    class Growth {

        @Test
        void leadingPlusMeansGrowBy() {
            SizeSpec spec = SizeSpec.parse("+512M");
            assertThat(spec.relative()).isTrue();
            assertThat(spec.bytes()).isEqualTo(512 * MI);
            assertThat(spec.text()).isEqualTo("+512M");
            assertThat(spec.targetBytes(GI)).isEqualTo(GI + 512 * MI);
        }

        @Test
        void plusWithSpacesAndUnits() {
            assertThat(SizeSpec.parse("+5g").bytes()).isEqualTo(5 * GI);
            assertThat(SizeSpec.parse(" +5 GiB ").targetBytes(0)).isEqualTo(5 * GI);
        }

        @Test
        void spaceBetweenPlusAndNumberIsNotASize() {
            assertInvalid("+ 5G");
        }

        @Test
        void growthIsAddedBeforeRounding() {
            // 1 GiB + 1 byte, then + 1 MiB: rounds once, up to the next MiB
            assertThat(SizeSpec.parse("+1M").targetBytes(GI + 1)).isEqualTo(GI + 2 * MI);
            assertThat(SizeSpec.parse("+1M").targetBytes(GI - 1)).isEqualTo(GI + MI);
            assertThat(SizeSpec.parse("+512K").targetBytes(GI)).isEqualTo(GI + MI);
            assertThat(SizeSpec.parse("+1.5M").targetBytes(GI)).isEqualTo(GI + 2 * MI);
        }

        @ParameterizedTest
        @ValueSource(strings = {"+0", "+0M", "+0.0T", "+000", " +0 B ", "+1B", "+1", "+100K",
                "+524287", "+0.49M"})
        void aGrowthThatRoundsToNoWholeMibIsTheCurrentSizeWhateverItIs(String text) {
            SizeSpec spec = SizeSpec.parse(text);
            assertThat(spec.relative()).isTrue();
            assertThat(spec.growsByNothing()).isTrue();
            assertThat(spec.targetBytes(GI)).isEqualTo(GI);
            // a capacity that is no whole MiB is kept too: growing by nothing never aligns a disk
            assertThat(spec.targetBytes(GI + 1)).isEqualTo(GI + 1);
            assertThat(spec.targetBytes(0)).isZero();
        }

        @Test
        void halfAMibIsTheFirstGrowthThatCounts() {
            assertThat(SizeSpec.parse("+524287").targetBytes(GI)).isEqualTo(GI);
            assertThat(SizeSpec.parse("+524288").targetBytes(GI)).isEqualTo(GI + MI);
        }

        @Test
        void absoluteSizeIgnoresTheCurrentCapacity() {
            assertThat(SizeSpec.parse("2G").targetBytes(5 * GI)).isEqualTo(2 * GI);
        }

        @Test
        void growthBeyondTwoTo53IsInvalid() {
            SizeSpec spec = SizeSpec.parse("+1M");
            assertThat(spec.targetBytes(TWO_53 - MI)).isEqualTo(TWO_53);
            assertThatThrownBy(() -> spec.targetBytes(TWO_53))
                    .isInstanceOfSatisfying(ResizeRejectedException.class,
                            e -> assertThat(e.code()).isEqualTo(RejectionCode.INVALID_SIZE))
                    .hasMessageContaining("2^53");
        }

        @Test
        void growthThatWouldOverflowALongIsInvalidNotWrapped() {
            SizeSpec spec = SizeSpec.parse("+" + TWO_53);
            assertThatThrownBy(() -> spec.targetBytes(Long.MAX_VALUE))
                    .isInstanceOf(ResizeRejectedException.class);
        }

        @Test
        void negativeCapacityIsAProgrammingError() {
            assertThatThrownBy(() -> SizeSpec.parse("+1G").targetBytes(-1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Rounding {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "1, 1048576",
                "1048575, 1048576",
                "1048576, 1048576",
                "1048577, 2097152",
                "1.5G, 1610612736",
                "1GB, 1000341504",   // 1e9 bytes is 953.67 MiB -> 954 MiB
                "0.3K, 1048576",
        })
        void targetIsRoundedUpToAWholeMiB(String text, long target) {
            assertThat(SizeSpec.parse(text).targetBytes(0)).isEqualTo(target);
        }

        @Test
        void twoTo53IsAlreadyAWholeMiB() {
            assertThat(SizeSpec.parse(TWO_53).targetBytes(0)).isEqualTo(TWO_53);
        }
    }

    @Nested
    class Limits {

        @Test
        void exactlyTwoTo53IsAccepted() {
            assertThat(SizeSpec.parse(TWO_53).bytes()).isEqualTo(TWO_53);
            assertThat(SizeSpec.parse(String.valueOf(TWO_53)).bytes()).isEqualTo(TWO_53);
            assertThat(SizeSpec.parse("8192T").bytes()).isEqualTo(TWO_53);
            assertThat(SizeSpec.parse("+8192TiB").bytes()).isEqualTo(TWO_53);
        }

        @Test
        void oneByteMoreIsRejected() {
            assertInvalid(TWO_53 + 1).hasMessageContaining("2^53");
            assertInvalid(String.valueOf(TWO_53 + 1)).hasMessageContaining("2^53");
            assertInvalid("8192.000000000001T").hasMessageContaining("2^53");
            assertInvalid(BigInteger.valueOf(TWO_53).add(BigInteger.ONE));
            assertInvalid(Long.MAX_VALUE);
            assertInvalid("99999999999999999999999999999999T");
        }

        @Test
        void overlongTextIsRejectedBeforeArithmetic() {
            assertInvalid("1" + "0".repeat(100)).hasMessageContaining("too long");
        }

        @Test
        void twoTo53InAnAbsoluteSizeThatIsNotAWholeMiBCannotHappen() {
            // the largest accepted value is a MiB multiple, so rounding never pushes it over
            assertThat(TWO_53 % MI).isZero();
        }
    }

    @Nested
    class JsonNumbers {

        @Test
        void integerTypes() {
            assertThat(SizeSpec.parse(1024).bytes()).isEqualTo(1024);
            assertThat(SizeSpec.parse(21474836480L).bytes()).isEqualTo(21474836480L);
            assertThat(SizeSpec.parse(BigInteger.valueOf(5 * GI)).bytes()).isEqualTo(5 * GI);
            assertThat(SizeSpec.parse((short) 7).bytes()).isEqualTo(7);
            assertThat(SizeSpec.parse(new AtomicLong(9)).bytes()).isEqualTo(9);
        }

        @Test
        void numbersAreAbsoluteAndKeepTheirDigitsAsText() {
            SizeSpec spec = SizeSpec.parse(21474836480L);
            assertThat(spec.relative()).isFalse();
            assertThat(spec.text()).isEqualTo("21474836480");
        }

        @Test
        void bigDecimalWithoutFractionIsAWholeNumber() {
            assertThat(SizeSpec.parse(new BigDecimal("1073741824.000")).bytes()).isEqualTo(GI);
            assertThat(SizeSpec.parse(new BigDecimal("1E+3")).bytes()).isEqualTo(1000);
            assertThat(SizeSpec.parse(new BigDecimal("1E+3")).text()).isEqualTo("1000");
        }

        @Test
        void bigDecimalWithFractionIsNotABytesCount() {
            assertInvalid(new BigDecimal("1.5")).hasMessageContaining("whole number");
        }

        @Test
        void wholeDoublesAreExactUpToTwoTo53() {
            assertThat(SizeSpec.parse(1073741824.0d).bytes()).isEqualTo(GI);
            assertThat(SizeSpec.parse((double) TWO_53).bytes()).isEqualTo(TWO_53);
            assertInvalid(0.5d);
            assertInvalid((double) TWO_53 * 2);
        }

        @Test
        void nanAndInfinityAreRejected() {
            assertInvalid(Double.NaN).hasMessageContaining("finite");
            assertInvalid(Double.POSITIVE_INFINITY);
            assertInvalid(Float.NEGATIVE_INFINITY);
            assertInvalid("NaN");
            assertInvalid("Infinity");
            assertInvalid("inf");
        }

        @Test
        void hugeExponentIsRejectedWithoutExpandingIt() {
            assertInvalid(new BigDecimal("1E+999999999")).hasMessageContaining("2^53");
            assertInvalid(new BigDecimal("-1E+999999999")).hasMessageContaining("negative");
            assertInvalid(new BigDecimal("1E-999999999")).hasMessageContaining("whole number");
        }
    }

    @Nested
    class Garbage {

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\t\n", "G", "abc", "20GG", "20 G 5", "1,5G", "1_000", "0x10", "20G!",
                "++5G", "+-5G", "5+", "1.2.3G", "١٢G", "20G;drop", "five gigabytes", ".", "+", "+G", "1e9", "1E9G",
                "1.5e3M", "-5G", "-1", "+-1", "- 5"})
        void notASize(String text) {
            assertInvalid(text);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "0G", "0.0T", "000", " 0 B"})
        void aSizeOfZeroIsRejected(String text) {
            assertInvalid(text).hasMessageContaining("zero");
        }

        @Test
        void zeroAndNegativeNumbers() {
            assertInvalid(0).hasMessageContaining("zero");
            assertInvalid(0L).hasMessageContaining("zero");
            assertInvalid(-1).hasMessageContaining("negative");
            assertInvalid(-5L * GI).hasMessageContaining("negative");
            assertInvalid(BigInteger.valueOf(-1)).hasMessageContaining("negative");
        }

        @Test
        void negativeTextSaysSo() {
            assertInvalid("-5G").hasMessageContaining("negative");
        }

        @Test
        void exponentNotationSaysSo() {
            assertInvalid("1e9").hasMessageContaining("exponent");
            assertInvalid("2.5E3G").hasMessageContaining("exponent");
        }

        @Test
        void emptySaysSo() {
            assertInvalid("").hasMessageContaining("empty");
            assertInvalid("   ").hasMessageContaining("empty");
        }

        @Test
        void nullIsMissing() {
            assertInvalid(null).hasMessageContaining("missing");
        }

        @Test
        void booleansObjectsAndListsAreNotSizes() {
            assertInvalid(true).hasMessageContaining("boolean");
            assertInvalid(false).hasMessageContaining("boolean");
            assertInvalid(Map.of("value", 5)).hasMessageContaining("object");
            assertInvalid(List.of(5)).hasMessageContaining("list");
            assertInvalid(new int[] {5}).hasMessageContaining("list");
            assertInvalid(new Object());
        }

        @Test
        void stringBuilderIsText() {
            assertThat(SizeSpec.parse(new StringBuilder("1G")).bytes()).isEqualTo(GI);
        }
    }

    @Test
    void theRecordItselfRefusesOutOfRangeBytes() {
        assertThatThrownBy(() -> new SizeSpec(false, 0, "0")).isInstanceOf(ResizeRejectedException.class);
        assertThatThrownBy(() -> new SizeSpec(true, -1, "x")).isInstanceOf(ResizeRejectedException.class);
        assertThat(new SizeSpec(true, 0, "+0").targetBytes(GI)).isEqualTo(GI);
        assertThatThrownBy(() -> new SizeSpec(true, TWO_53 + 1, "x")).isInstanceOf(ResizeRejectedException.class);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(Object size) {
        return assertThatThrownBy(() -> SizeSpec.parse(size))
                .isInstanceOfSatisfying(ResizeRejectedException.class,
                        e -> assertThat(e.code()).isEqualTo(RejectionCode.INVALID_SIZE));
    }
}
