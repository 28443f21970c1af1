package org.vdresize.storage;

import org.vdresize.inventory.StorageVolume;

/**
 * Grows and (for compensation only) shrinks storage volumes. Implementations translate libvirt
 * failures into {@link org.vdresize.common.TransientFailureException} (retry may help),
 * {@link org.vdresize.common.OperationFailedException} (it will not) or
 * {@link org.vdresize.common.NotFoundException}.
 */
public interface StoragePort {

    /** Current state of the volume, refreshed from the storage (not a cached value). */
    StorageVolume volume(String host, String pool, String volume);

    /** Grows the volume to exactly {@code capacity} bytes. Blocks until libvirt returns. */
    void grow(String host, String pool, String volume, long capacity, boolean allocate);

    /**
     * Puts the volume back to exactly {@code capacity} bytes, which is smaller than now. Only for
     * compensation, when no guest has ever seen the larger size. Must also release preallocated
     * space beyond {@code capacity} (libvirt refuses to shrink below the allocation).
     */
    void shrinkBack(String host, String pool, String volume, long capacity);
}
