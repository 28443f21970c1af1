package org.vdresize.resize;

/**
 * Published by {@link StepRecorder} (and {@link CancelledResizes}) whenever it writes a resize's status; heard after the commit
 * ({@link ResizeStatusWatch}), so a reader woken by it reads the new status.
 */
public record ResizeStatusChanged(String resizeId, ResizeStatus status) {
}
