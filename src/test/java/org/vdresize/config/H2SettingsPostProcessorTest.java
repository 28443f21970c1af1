package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class H2SettingsPostProcessorTest {

    @Test
    void writesEveryCommitOfAnH2FileDatabaseAndKeepsMoreParsedStatements() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:./data/vdresize"))
                .isEqualTo("jdbc:h2:file:./data/vdresize;QUERY_CACHE_SIZE=128;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
    }

    @Test
    void anEmbeddedDatabaseClosesWithThePoolNotWithH2sShutdownHook() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:./data/vdresize;WRITE_DELAY=0;QUERY_CACHE_SIZE=8"))
                .isEqualTo("jdbc:h2:./data/vdresize;WRITE_DELAY=0;QUERY_CACHE_SIZE=8;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:/x;db_close_on_exit=TRUE;WRITE_DELAY=0;QUERY_CACHE_SIZE=8"))
                .as("what the URL sets itself").isEqualTo("jdbc:h2:file:/x;db_close_on_exit=TRUE;WRITE_DELAY=0;QUERY_CACHE_SIZE=8");
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:tcp://db/vdresize;WRITE_DELAY=0;QUERY_CACHE_SIZE=8"))
                .as("a server's database closes with the server").isEqualTo("jdbc:h2:tcp://db/vdresize;WRITE_DELAY=0;QUERY_CACHE_SIZE=8");
    }

    @Test
    void keepsWhatTheUrlSetsItself() {
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:/x;write_delay=500"))
                .isEqualTo("jdbc:h2:file:/x;write_delay=500;QUERY_CACHE_SIZE=128;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(H2SettingsPostProcessor.withSettings("jdbc:h2:file:/x;Query_Cache_Size=16"))
                .isEqualTo("jdbc:h2:file:/x;Query_Cache_Size=16;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
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
