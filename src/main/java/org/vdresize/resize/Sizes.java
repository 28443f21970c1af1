package org.vdresize.resize;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Byte counts for people: "2 GiB", "1.5 GiB", "512 B". */
public final class Sizes {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final BigDecimal K = BigDecimal.valueOf(1024);

    private Sizes() {
    }

    /** The largest binary unit that keeps the number at 1 or more, at most two decimals, no trailing zeros. */
    public static String format(long bytes) {
        if (bytes < 0) {
            // Long.MIN_VALUE has no positive counterpart; format it through BigDecimal like the rest
            return "-" + format(BigDecimal.valueOf(bytes).negate());
        }
        return format(BigDecimal.valueOf(bytes));
    }

    private static String format(BigDecimal bytes) {
        int unit = 0;
        BigDecimal value = bytes;
        while (unit < UNITS.length - 1 && value.compareTo(K) >= 0) {
            value = value.divide(K);  // exact: 1024 = 2^10 always has a finite decimal quotient
            unit++;
        }
        BigDecimal rounded = value.setScale(2, RoundingMode.HALF_UP);
        // 1023.999 MiB would print as "1024 MiB": move to the next unit instead
        if (rounded.compareTo(K) >= 0 && unit < UNITS.length - 1) {
            rounded = rounded.divide(K).setScale(2, RoundingMode.HALF_UP);
            unit++;
        }
        return rounded.stripTrailingZeros().toPlainString() + " " + UNITS[unit];
    }
}
