package org.vdresize.vm;

import java.util.Optional;

/**
 * Block operations on running domains. The domain is named by UUID on the host it runs on now.
 * Failures: {@link org.vdresize.common.NotFoundException} (no such domain on that host),
 * {@link org.vdresize.common.TransientFailureException}, {@link org.vdresize.common.OperationFailedException}.
 */
public interface HypervisorPort {

    BlockInfo blockInfo(String host, String vmUuid, String target);

    /** virDomainBlockResize with BYTES. Never called with a size below the current capacity. */
    void blockResize(String host, String vmUuid, String target, long bytes);

    /**
     * The block job (copy, commit, pull, backup) that runs now on this disk of this running domain;
     * empty when none does. A read: it never changes the job.
     */
    Optional<BlockJob> blockJob(String host, String vmUuid, String target);

    /** The capacity QEMU reported before {@link #grow} and after it. */
    record Growth(long before, long after) {
    }

    /**
     * Grows the disk to {@code bytes} unless QEMU already reports at least that, and reads the
     * capacity back; never shrinks. Implementations do it on one domain lookup.
     */
    default Growth grow(String host, String vmUuid, String target, long bytes) {
        long before = blockInfo(host, vmUuid, target).capacity();
        if (before >= bytes) {
            return new Growth(before, before);
        }
        blockResize(host, vmUuid, target, bytes);
        return new Growth(before, blockInfo(host, vmUuid, target).capacity());
    }
}
