package org.vdresize.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlockJobTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "COPY, a block copy job (40 % done) runs on vda of VM web1",
            "COMMIT, a block commit job (40 % done) runs on vda of VM web1",
            "ACTIVE_COMMIT, an active block commit job (40 % done) runs on vda of VM web1",
            "PULL, a block pull job (40 % done) runs on vda of VM web1",
            "BACKUP, a backup job (40 % done) runs on vda of VM web1",
            "OTHER, a block job (40 % done) runs on vda of VM web1"})
    void namesTheKindTheDiskAndTheVm(BlockJob.Kind kind, String text) {
        assertThat(new BlockJob(kind, 2, 5).describe("web1", "vda")).isEqualTo(text);
    }

    @Test
    void progressIsLeftOutWhenQemuHasNoTotalYet() {
        assertThat(new BlockJob(BlockJob.Kind.COPY, 0, 0).describe("web1", "vda")).isEqualTo("a block copy job runs on vda of VM web1");
        assertThat(new BlockJob(BlockJob.Kind.COPY, 7, 5).describe("web1", "vda")).contains("(100 % done)");
    }
}
