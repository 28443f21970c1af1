package org.vdresize.watch;

/**
 * The inputs of the autogrow policy (bpmn/autogrow-policy.dmn) for one sample.
 *
 * @param usedPercent    of the fullest watched filesystem
 * @param freeBytes      free on that filesystem
 * @param diskSize       the disk's capacity now, as libvirt reports it
 * @param growthsLast24h resizes this watch started in the last 24 hours
 * @param hoursToFull    projected from the recent samples; -1 when the filesystem does not fill (or
 *                       there are too few samples to tell)
 * @param mountpoint     the filesystem the figures are about (for the reason text)
 */
public record PolicyInputs(double usedPercent, long freeBytes, long diskSize, long maxSize, int growthsLast24h,
                           double hoursToFull, String mountpoint) {

    public static final double UNKNOWN_HOURS = -1;
}
