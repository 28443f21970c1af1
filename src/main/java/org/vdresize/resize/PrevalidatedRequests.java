package org.vdresize.resize;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Hands a REST start's validation to the process it starts, so a request is validated against
 * libvirt once, not twice. The process gets only a random token (a transient process variable, never
 * stored); the validation step takes the result by it. An entry lives only for the start call.
 */
@Component
public class PrevalidatedRequests {

    /** A validation and when it began: what another resize of the disk ended after that, it may not have seen. */
    record Prevalidated(ValidatedResize resize, Instant startedAt) {
    }

    private final Map<String, Prevalidated> pending = new ConcurrentHashMap<>();

    String put(ValidatedResize validated, Instant startedAt) {
        String token = UUID.randomUUID().toString();
        pending.put(token, new Prevalidated(validated, startedAt));
        return token;
    }

    /** The validation behind the token, once; empty for an unknown or used token. */
    Optional<Prevalidated> take(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(pending.remove(token));
    }

    void discard(String token) {
        pending.remove(token);
    }
}
