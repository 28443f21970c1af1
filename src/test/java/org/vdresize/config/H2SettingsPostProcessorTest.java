package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class H2SettingsPostProcessorTest {

    @Test
    void writesEveryCommitOfAnH2FileDatabaseAndKeepsMoreParsedStatements() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:./data/vdresize"))
                .isEqualTo("jdbc:h2:file:./data/vdresize;QUERY_CACHE_SIZE=128;WRITE_DELAY=0");
    }

    @Test
    void keepsWhatTheUrlSetsItself() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:/x;write_delay=500"))
                .isEqualTo("jdbc:h2:file:/x;write_delay=500;QUERY_CACHE_SIZE=128");
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:/x;Query_Cache_Size=16"))
                .isEqualTo("jdbc:h2:file:/x;Query_Cache_Size=16;WRITE_DELAY=0");
    }

    @Test
    void anInMemoryDatabaseHasNoFileToWrite() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test;QUERY_CACHE_SIZE=128");
    }

    @Test
    void leavesOtherDatabasesAlone() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:postgresql://db:5432/vdresize"))
                .isEqualTo("jdbc:postgresql://db:5432/vdresize");
    }
}
