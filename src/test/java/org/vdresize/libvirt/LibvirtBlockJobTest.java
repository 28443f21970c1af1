package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.libvirt.Domain;
import org.libvirt.DomainBlockJobInfo;
import org.vdresize.vm.BlockJob;

/** libvirt-java returns a zeroed struct (type UNKNOWN) when no job runs: that is "none", not a job. */
class LibvirtBlockJobTest {

    static DomainBlockJobInfo info(int type, long cur, long end) {
        DomainBlockJobInfo info = new DomainBlockJobInfo();
        info.type = type;
        info.cur = cur;
        info.end = end;
        return info;
    }

    @Test
    void typeUnknownIsNoJob() {
        assertThat(LibvirtHypervisor.toBlockJob(new DomainBlockJobInfo())).isEmpty();
        assertThat(LibvirtHypervisor.toBlockJob(null)).isEmpty();
    }

    @Test
    void everyLibvirtTypeHasItsKind() {
        assertThat(LibvirtHypervisor.toBlockJob(info(Domain.BlockJobType.PULL, 1, 2))).contains(new BlockJob(BlockJob.Kind.PULL, 1, 2));
        assertThat(LibvirtHypervisor.toBlockJob(info(Domain.BlockJobType.COPY, 1, 2))).contains(new BlockJob(BlockJob.Kind.COPY, 1, 2));
        assertThat(LibvirtHypervisor.toBlockJob(info(Domain.BlockJobType.COMMIT, 0, 0))).contains(new BlockJob(BlockJob.Kind.COMMIT, 0, 0));
        assertThat(LibvirtHypervisor.toBlockJob(info(Domain.BlockJobType.ACTIVE_COMMIT, 0, 0)))
                .contains(new BlockJob(BlockJob.Kind.ACTIVE_COMMIT, 0, 0));
        assertThat(LibvirtHypervisor.toBlockJob(info(Domain.BlockJobType.BACKUP, 0, 0))).contains(new BlockJob(BlockJob.Kind.BACKUP, 0, 0));
        assertThat(LibvirtHypervisor.toBlockJob(info(Domain.BlockJobType.LAST, 0, 0))).contains(new BlockJob(BlockJob.Kind.OTHER, 0, 0));
    }
}
