package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** vdresize.storage.heartbeat / lost-after: the storage jobs' liveness across nodes (docs/cluster.md). */
class StoragePropertiesTest {

    private static VdresizeProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("vdresize", Bindable.of(VdresizeProperties.class));
    }

    @Test
    void defaultsAreAHeartbeatEvery5SecondsAndLostAfter15() {
        VdresizeProperties.Storage storage = bind(Map.of()).storage();

        assertThat(storage.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(storage.lostAfter()).isEqualTo(Duration.ofSeconds(15));
        assertThat(storage.threads()).isEqualTo(4);
    }

    @Test
    void bothCanBeConfigured() {
        VdresizeProperties.Storage storage = bind(Map.of("vdresize.storage.heartbeat", "2s",
                "vdresize.storage.lost-after", "PT30S")).storage();

        assertThat(storage.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(storage.lostAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aLostAfterBelowTwoHeartbeatsIsRaisedToThree() {
        VdresizeProperties.Storage storage = bind(Map.of("vdresize.storage.heartbeat", "10s",
                "vdresize.storage.lost-after", "12s")).storage();

        assertThat(storage.lostAfter()).isEqualTo(Duration.ofSeconds(30));
    }
}
