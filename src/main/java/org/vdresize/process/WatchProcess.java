package org.vdresize.process;

/** Ids and variable names of bpmn/disk-watch.bpmn and bpmn/autogrow-policy.dmn, in one place. */
public final class WatchProcess {

    public static final String PROCESS_KEY = "disk-watch";
    public static final String DECISION_KEY = "autogrow-policy";

    // --- elements ---
    public static final String EVENT_WATCH_CREATED = "Event_WatchCreated";
    public static final String GATEWAY_JOIN_SAMPLE = "Gateway_JoinSample";
    public static final String TASK_SAMPLE_FILESYSTEM = "Task_SampleFilesystem";
    public static final String GATEWAY_SAMPLED = "Gateway_Sampled";
    public static final String EVENT_WATCH_STOPPED = "Event_WatchStopped";
    public static final String TASK_DECIDE_POLICY = "Task_DecidePolicy";
    public static final String TASK_RECORD_DECISION = "Task_RecordDecision";
    public static final String GATEWAY_DECISION = "Gateway_Decision";
    public static final String TASK_START_GROW = "Task_StartGrow";
    public static final String GATEWAY_GROW_STARTED = "Gateway_GrowStarted";
    public static final String GATEWAY_JOIN_COOLDOWN = "Gateway_JoinCooldown";
    public static final String EVENT_COOLDOWN_INTERVAL = "Event_CooldownInterval";
    public static final String TASK_CHECK_COOLDOWN = "Task_CheckCooldown";
    public static final String GATEWAY_COOLDOWN_OVER = "Gateway_CooldownOver";
    public static final String GATEWAY_JOIN_WAIT = "Gateway_JoinWait";
    public static final String EVENT_SAMPLE_INTERVAL = "Event_SampleInterval";

    // --- variables ---
    /** ISO-8601 duration between two samples (the watch's interval) */
    public static final String VAR_INTERVAL = "interval";
    /** ISO-8601 duration between two looks at a running grow */
    public static final String VAR_COOLDOWN_INTERVAL = "cooldownInterval";
    /** Boolean: the watch exists, has not stopped, and this instance is the one that acts for it */
    public static final String VAR_WATCH_ACTIVE = "watchActive";
    /** Boolean: the sample found a filesystem to decide on */
    public static final String VAR_SAMPLED = "sampled";
    // the policy's inputs (the DMN table's input expressions name them)
    public static final String VAR_USED_PERCENT = "usedPercent";
    public static final String VAR_FREE_BYTES = "freeBytes";
    public static final String VAR_DISK_SIZE = "diskSize";
    public static final String VAR_MAX_SIZE = "maxSize";
    public static final String VAR_GROWTHS_LAST_24H = "growthsLast24h";
    public static final String VAR_HOURS_TO_FULL = "hoursToFull";
    public static final String VAR_MOUNTPOINT = "mountpoint";
    /** the business rule task's result: a map with "action" and "growBy" */
    public static final String VAR_POLICY = "policy";
    public static final String OUTPUT_ACTION = "action";
    public static final String OUTPUT_GROW_BY = "growBy";
    /** Boolean: the decision is to grow now (GROW in AUTO mode) */
    public static final String VAR_GROW = "grow";
    /** Boolean: the grow's resize was started (false: refused, recorded) */
    public static final String VAR_GROW_STARTED = "growStarted";
    /** Boolean: the last grow's resize has ended and the guest shows the new size */
    public static final String VAR_COOLDOWN_OVER = "cooldownOver";

    private WatchProcess() {
    }
}
