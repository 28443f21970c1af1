package org.vdresize.resize;

/** The status of one step in GET /api/resizes/{id} ({@code steps[].status}; the names are the shown strings). */
public enum StepState {
    RUNNING,
    DONE,
    /** left by a cancellation or an error boundary event before it ended */
    FAILED,
    /** its job failed and the engine tries again */
    RETRYING,
    /** its job failed with no retry left: an operator must act */
    INCIDENT
}
