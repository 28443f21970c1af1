package org.vdresize.resize;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Why a resize ended other than completed (vdr_resize.error_code and the API's {@code error.code}):
 * a broken rule ({@link RejectionCode}) or a failure on the way ({@link FailureCode}). The enum
 * constants' names are the stored and shown codes.
 */
public sealed interface ErrorCode permits RejectionCode, FailureCode {

    String name();

    /** The code with this name, as a process variable or a stored row carries it. */
    static Optional<ErrorCode> of(String name) {
        return Stream.concat(Arrays.stream(RejectionCode.values()), Arrays.stream(FailureCode.values()))
                .<ErrorCode>map(c -> c).filter(c -> c.name().equals(name)).findFirst();
    }
}
