package org.vdresize.resize;

/**
 * The resize rules' limits (vdresize.limits.*, built by config).
 *
 * @param maxDiskSize         a larger target is refused with SIZE_LIMIT (bytes)
 * @param thinOvercommitRatio thin volumes: the pool's volumes' capacities after the growth may reach this
 *                            multiple of the pool's capacity; 0 turns the check off
 */
public record ResizeLimits(long maxDiskSize, double thinOvercommitRatio) {
}
