package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrevalidatedRequestsTest {

    private final PrevalidatedRequests prevalidated = new PrevalidatedRequests();
    private final ValidatedResize validated = new ValidatedResize("/pool/d.img", "local", "p", "d.img", "raw", false,
            1L << 20, 2L << 20, "2M", false, false, List.of());
    private final Instant at = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void aValidationIsTakenOnceByItsTokenOnly() {
        String token = prevalidated.put(validated, at);
        assertThat(prevalidated.take("another-token")).isEmpty();
        assertThat(prevalidated.take(null)).isEmpty();
        assertThat(prevalidated.take(token)).contains(new PrevalidatedRequests.Prevalidated(validated, at));
        assertThat(prevalidated.take(token)).isEmpty();
    }

    @Test
    void aDiscardedTokenNamesNothing() {
        String token = prevalidated.put(validated, at);
        prevalidated.discard(token);
        assertThat(prevalidated.take(token)).isEmpty();
    }
}
