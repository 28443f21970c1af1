package org.vdresize.inventory;

/**
 * A volume of an active storage pool.
 *
 * @param format      qcow2, raw, ... (the volume's target format)
 * @param backingPath the volume's backing store path (qcow2 overlays), null when none
 */
public record StorageVolume(String host, String pool, String name, String path, String format,
                            long capacity, long allocation, String backingPath) {

    /** Fully allocated: a raw volume whose blocks are all reserved (allocation reaches capacity). */
    public boolean preallocated() {
        return capacity > 0 && allocation >= capacity;
    }
}
