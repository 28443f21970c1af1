package org.vdresize.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchOwnersTest {

    final WatchRepository watches = mock(WatchRepository.class);
    final WatchOwners owners = new WatchOwners(watches);

    @Test
    void theCreatorOfAWatchAnswersForItsResizes() {
        when(watches.find("w1")).thenReturn(Optional.of(new Watch("w1", "vm1", "vdb", null, null, null, "/p/d.qcow2",
                "vm1", "uuid", null, WatchMode.AUTO, 1L << 30, Duration.ofMinutes(5), WatchStatus.WATCHING, "wanda",
                Instant.EPOCH, null, null, "pi-1")));

        assertThat(owners.ownerOf("watch:w1")).contains("wanda");
        assertThat(owners.ownerOf("watch:gone")).isEmpty();
    }

    @Test
    void aPersonIsNotLookedUp() {
        assertThat(owners.ownerOf("olga")).isEmpty();
        assertThat(owners.ownerOf(null)).isEmpty();
        verify(watches, never()).find(anyString());
    }
}
