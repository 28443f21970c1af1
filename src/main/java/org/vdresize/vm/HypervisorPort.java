package org.vdresize.vm;

/**
 * Block operations on running domains. The domain is named by UUID on the host it runs on now.
 * Failures: {@link org.vdresize.common.NotFoundException} (no such domain on that host),
 * {@link org.vdresize.common.TransientFailureException}, {@link org.vdresize.common.OperationFailedException}.
 */
public interface HypervisorPort {

    BlockInfo blockInfo(String host, String vmUuid, String target);

    /** virDomainBlockResize with BYTES. Never called with a size below the current capacity. */
    void blockResize(String host, String vmUuid, String target, long bytes);
}
