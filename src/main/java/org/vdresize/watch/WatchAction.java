package org.vdresize.watch;

/** The autogrow policy's answer (bpmn/autogrow-policy.dmn, output "action"). */
public enum WatchAction {
    GROW,
    WAIT,
    AT_LIMIT,
    /** a person should look: the disk fills but may not grow (growths per day used up, resize refused, no filesystem) */
    ALERT
}
