package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrevalidatedRequestsTest {

    private final PrevalidatedRequests prevalidated = new PrevalidatedRequests();
    private final ValidatedResize validated = new ValidatedResize("/pool/d.img", "local", "p", "d.img", "raw", false,
            1L << 20, 2L << 20, "2M", false, false, List.of());

    @Test
    void aValidationIsTakenOnceByItsTokenOnly() {
        String token = prevalidated.put(validated);
        assertThat(prevalidated.take("another-token")).isEmpty();
        assertThat(prevalidated.take(null)).isEmpty();
        assertThat(prevalidated.take(token)).contains(validated);
        assertThat(prevalidated.take(token)).isEmpty();
    }

    @Test
    void aDiscardedTokenNamesNothing() {
        String token = prevalidated.put(validated);
        prevalidated.discard(token);
        assertThat(prevalidated.take(token)).isEmpty();
    }
}
