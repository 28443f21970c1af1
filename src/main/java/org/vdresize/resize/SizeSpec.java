package org.vdresize.resize;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size as a client asks for it (api-contract.md, "Sizes"): an absolute number of bytes, or with
 * a leading {@code +} a growth by that many bytes. Arithmetic stays in BigDecimal/BigInteger until
 * the result is known to fit, so no size is ever rounded through a double.
 *
 * @param relative true for "+N": grow by {@code bytes}
 * @param bytes    the absolute size, 1 .. 2^53, or the growth, 0 .. 2^53
 * @param text     what the client wrote (the number's digits for a JSON number)
 */
public record SizeSpec(boolean relative, long bytes, String text) {

    /** Sizes above 2^53 bytes are refused: JSON clients lose integer precision beyond it. */
    public static final long MAX_BYTES = 1L << 53;
    public static final long MIB = 1L << 20;

    private static final BigInteger MAX = BigInteger.valueOf(MAX_BYTES);
    /** Longer strings are not sizes; the cap keeps BigDecimal work on hostile input small. */
    private static final int MAX_TEXT_LENGTH = 64;
    private static final Pattern SYNTAX = Pattern.compile(
            "\\s*(\\+)?(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*([a-z]*)\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern EXPONENT = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)e[+-]?\\d+.*",
            Pattern.CASE_INSENSITIVE);
    private static final Map<String, BigInteger> UNITS = Map.ofEntries(
            Map.entry("", BigInteger.ONE),
            Map.entry("B", BigInteger.ONE),
            Map.entry("K", BigInteger.TWO.pow(10)), Map.entry("KIB", BigInteger.TWO.pow(10)),
            Map.entry("M", BigInteger.TWO.pow(20)), Map.entry("MIB", BigInteger.TWO.pow(20)),
            Map.entry("G", BigInteger.TWO.pow(30)), Map.entry("GIB", BigInteger.TWO.pow(30)),
            Map.entry("T", BigInteger.TWO.pow(40)), Map.entry("TIB", BigInteger.TWO.pow(40)),
            Map.entry("KB", BigInteger.TEN.pow(3)),
            Map.entry("MB", BigInteger.TEN.pow(6)),
            Map.entry("GB", BigInteger.TEN.pow(9)),
            Map.entry("TB", BigInteger.TEN.pow(12)));

    public SizeSpec {
        if (bytes < (relative ? 0 : 1) || bytes > MAX_BYTES) {
            throw invalid(relative ? "a growth must be between 0 and 2^53 bytes, not " + bytes
                    : "a size must be between 1 byte and 2^53 bytes, not " + bytes);
        }
    }

    /**
     * Parses a JSON number (whole bytes) or a string such as "20G", "+512 MiB", "1.5T".
     *
     * @throws ResizeRejectedException INVALID_SIZE for anything else
     */
    public static SizeSpec parse(Object size) {
        if (size == null) {
            throw invalid("size is missing");
        }
        if (size instanceof CharSequence text) {
            return parseText(text.toString());
        }
        if (size instanceof Number number) {
            return parseNumber(number);
        }
        throw invalid("size must be a number of bytes or a string such as \"20G\" or \"+512M\", not a "
                + kindOf(size));
    }

    /**
     * The size the disk should have: the absolute size, or the current capacity plus the growth,
     * rounded up to a whole MiB (qemu and most storage allocate in MiB steps). A growth that rounds
     * to no whole MiB (less than half a MiB: "+0", "+1B", "+100K") asks for nothing: the current
     * capacity, which is the no-op, whatever that capacity is.
     *
     * @throws ResizeRejectedException INVALID_SIZE when the result would exceed 2^53 bytes
     */
    public long targetBytes(long currentCapacity) {
        if (currentCapacity < 0) {
            throw new IllegalArgumentException("negative capacity " + currentCapacity);
        }
        if (growsByNothing()) {
            return currentCapacity;
        }
        BigInteger target = BigInteger.valueOf(bytes);
        if (relative) {
            target = target.add(BigInteger.valueOf(currentCapacity));
        }
        BigInteger mib = BigInteger.valueOf(MIB);
        BigInteger[] qr = target.divideAndRemainder(mib);
        BigInteger rounded = qr[1].signum() == 0 ? target : qr[0].add(BigInteger.ONE).multiply(mib);
        if (rounded.compareTo(MAX) > 0) {
            throw invalid(relative
                    ? "growing " + Sizes.format(currentCapacity) + " by " + text + " gives more than 2^53 bytes"
                    : "size \"" + text + "\" is larger than 2^53 bytes once rounded up to a whole MiB");
        }
        return rounded.longValueExact();
    }

    /** A growth below half a MiB: rounded to whole MiB, it is zero. */
    public boolean growsByNothing() {
        return relative && bytes < MIB / 2;
    }

    private static SizeSpec parseText(String raw) {
        String text = raw.strip();
        if (text.isEmpty()) {
            throw invalid("size is empty");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw invalid("size is not a size: too long");
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw invalid(explainSyntax(text));
        }
        boolean relative = m.group(1) != null;
        String unit = m.group(3).toUpperCase(Locale.ROOT);
        BigInteger multiplier = UNITS.get(unit);
        if (multiplier == null) {
            throw invalid("unknown unit \"" + m.group(3) + "\" in size \"" + text
                    + "\"; use B, K/KiB, M/MiB, G/GiB, T/TiB (1024) or KB, MB, GB, TB (1000)");
        }
        BigDecimal number = new BigDecimal(m.group(2));
        // "+0" grows by nothing, a harmless no-op; a size of zero would destroy the disk
        if (number.signum() == 0 && !relative) {
            throw invalid("size \"" + text + "\" is zero");
        }
        // a fraction of a byte after the unit conversion is rounded up: "0.3K" is 308 bytes
        BigInteger bytes = number.multiply(new BigDecimal(multiplier)).setScale(0, RoundingMode.CEILING)
                .toBigIntegerExact();
        if (bytes.compareTo(MAX) > 0) {
            throw invalid("size \"" + text + "\" is larger than 2^53 bytes");
        }
        return new SizeSpec(relative, bytes.longValueExact(), text);
    }

    private static SizeSpec parseNumber(Number number) {
        BigDecimal value;
        if (number instanceof Double || number instanceof Float) {
            // engine-rest and forms may hand over a Double; any whole one up to 2^53 is exact
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw invalid("size must be a finite number, not " + number);
            }
            value = new BigDecimal(d);
        } else if (number instanceof BigDecimal bd) {
            value = bd;
        } else if (number instanceof BigInteger bi) {
            value = new BigDecimal(bi);
        } else if (number instanceof Long || number instanceof Integer || number instanceof Short
                || number instanceof Byte) {
            value = BigDecimal.valueOf(number.longValue());
        } else {
            // AtomicLong, custom Number types: go through the decimal text, never through double
            value = parseDecimal(number.toString());
        }
        // checked before any toPlainString(): 1E+999999999 would expand to a gigabyte of digits
        if (value.signum() == 0) {
            throw invalid("size is zero");
        }
        if (value.signum() < 0) {
            throw invalid("size " + value + " is negative; sizes only grow");
        }
        if (value.compareTo(new BigDecimal(MAX)) > 0) {
            throw invalid("size " + value + " is larger than 2^53 bytes");
        }
        if (value.stripTrailingZeros().scale() > 0) {
            throw invalid("size " + value + " is not a whole number of bytes; use a string with a unit such as \"1.5G\"");
        }
        String text = value.toBigIntegerExact().toString();
        return new SizeSpec(false, value.longValueExact(), text);
    }

    private static BigDecimal parseDecimal(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw invalid("size " + text + " is not a number");
        }
    }

    private static String explainSyntax(String text) {
        if (text.startsWith("-")) {
            return "size \"" + text + "\" is negative; sizes only grow";
        }
        if (EXPONENT.matcher(text).matches()) {
            return "size \"" + text + "\" uses exponent notation; write the digits and a unit, such as \"20G\"";
        }
        return "size \"" + text + "\" is not a size; write a number with an optional unit and an optional"
                + " leading +, such as \"20G\", \"+512M\" or \"1.5T\"";
    }

    private static String kindOf(Object size) {
        if (size instanceof Boolean) {
            return "boolean";
        }
        if (size instanceof Iterable<?> || size.getClass().isArray()) {
            return "list";
        }
        if (size instanceof Map<?, ?>) {
            return "object";
        }
        return size.getClass().getSimpleName();
    }

    private static ResizeRejectedException invalid(String message) {
        return new ResizeRejectedException(RejectionCode.INVALID_SIZE, message);
    }
}
