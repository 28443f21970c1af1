package org.vdresize.resize;

/** The resize a step belongs to and the step's own instance (the engine's activity instance id). */
public record StepRef(String resizeId, String activityInstanceId) {
}
