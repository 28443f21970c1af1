package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class H2DurabilityPostProcessorTest {

    @Test
    void flushesEveryCommitOfAnH2FileDatabase() {
        assertThat(H2DurabilityPostProcessor.durable("jdbc:h2:file:./data/vdresize")).isEqualTo("jdbc:h2:file:./data/vdresize;WRITE_DELAY=0");
        assertThat(H2DurabilityPostProcessor.durable("jdbc:h2:file:/x;write_delay=500")).isEqualTo("jdbc:h2:file:/x;write_delay=500");
    }

    @Test
    void leavesEveryOtherDatabaseAlone() {
        assertThat(H2DurabilityPostProcessor.durable("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
        assertThat(H2DurabilityPostProcessor.durable("jdbc:postgresql://db:5432/vdresize"))
                .isEqualTo("jdbc:postgresql://db:5432/vdresize");
    }
}
