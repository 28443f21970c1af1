package org.vdresize.process;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.historyService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;
import static org.vdresize.process.WatchProcess.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every path of bpmn/disk-watch.bpmn with mocked delegates and the real autogrow-policy.dmn (so the
 * business rule task's result is the table's): no Spring, no libvirt, jobs and timers run by hand.
 */
@Deployment(resources = {"bpmn/disk-watch.bpmn", "bpmn/autogrow-policy.dmn"})
class DiskWatchProcessTest {

    @RegisterExtension
    static final ProcessEngineCoverageExtension ENGINE = ProcessEngineCoverageExtension.builder()
        .configurationResource(VirtualDiskResizeProcessTest.ENGINE_CONFIGURATION)
        .assertClassCoverageAtLeast(1.0)
        .build();

    private static final long GIB = 1L << 30;
    private static final String WATCH = "watch-1";

    /** what each sample reports, in order: null = the watch has gone, a map = the policy's inputs, {} = no agent */
    private final Deque<Map<String, Object>> samples = new java.util.LinkedList<>();
    private final Deque<Boolean> growStarts = new ArrayDeque<>();
    private final Deque<Boolean> cooldowns = new ArrayDeque<>();
    private final List<Map<?, ?>> policies = new ArrayList<>();
    private boolean growWhenPolicySaysSo = true;
    private int grows;

    @BeforeEach
    void setUp() {
        org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init(ENGINE.getProcessEngine());
        Mocks.register("sampleFilesystemDelegate", (JavaDelegate) this::sample);
        Mocks.register("recordDecisionDelegate", (JavaDelegate) e -> {
            Map<?, ?> policy = (Map<?, ?>) e.getVariable(VAR_POLICY);
            policies.add(policy);
            e.setVariable(VAR_GROW, growWhenPolicySaysSo && "GROW".equals(policy.get(OUTPUT_ACTION)));
        });
        Mocks.register("startGrowDelegate", (JavaDelegate) e -> {
            grows++;
            e.setVariable(VAR_GROW_STARTED, growStarts.pop());
        });
        Mocks.register("checkCooldownDelegate", (JavaDelegate) e -> e.setVariable(VAR_COOLDOWN_OVER, cooldowns.pop()));
    }

    @AfterEach
    void tearDown() {
        Mocks.reset();
    }

    private void sample(DelegateExecution e) {
        Map<String, Object> next = samples.pop();
        e.setVariable(VAR_WATCH_ACTIVE, next != null);
        e.setVariable(VAR_SAMPLED, next != null && !next.isEmpty());
        if (next != null) {
            next.forEach(e::setVariable);
        }
    }

    private static Map<String, Object> inputs(double usedPercent, long diskSize, long maxSize, int growths, double hours) {
        return Map.of(VAR_USED_PERCENT, usedPercent, VAR_FREE_BYTES, (long) (diskSize * (100 - usedPercent) / 100),
            VAR_DISK_SIZE, diskSize, VAR_MAX_SIZE, maxSize, VAR_GROWTHS_LAST_24H, growths, VAR_HOURS_TO_FULL, hours,
            VAR_MOUNTPOINT, "/srv");
    }

    private ProcessInstance start() {
        return runtimeService().startProcessInstanceByKey(PROCESS_KEY, WATCH,
            withVariables(VAR_INTERVAL, "PT5M", VAR_COOLDOWN_INTERVAL, "PT15S"));
    }

    private long passed(ProcessInstance pi, String activityId) {
        return historyService().createHistoricActivityInstanceQuery().processInstanceId(pi.getId())
            .activityId(activityId).finished().count();
    }

    @Test
    void aStoppedWatchEndsAtItsFirstSample() {
        samples.add(null);
        ProcessInstance pi = start();
        // the sample is a job of its own: the start commits at once
        assertThat(pi).isWaitingAt(TASK_SAMPLE_FILESYSTEM);
        execute(job(pi));
        assertThat(pi).isEnded().hasPassedInOrder(EVENT_WATCH_CREATED, TASK_SAMPLE_FILESYSTEM, GATEWAY_SAMPLED,
            EVENT_WATCH_STOPPED);
        assertThat(pi).hasNotPassed(TASK_DECIDE_POLICY);
    }

    @Test
    void noAgentDecidesNothingAndSamplesAgainAfterTheInterval() {
        samples.add(Map.of());
        samples.add(null);
        ProcessInstance pi = start();
        execute(job(pi));
        assertThat(pi).isWaitingAt(EVENT_SAMPLE_INTERVAL).hasNotPassed(TASK_DECIDE_POLICY);
        execute(job(pi)); // the interval's timer
        execute(job(pi)); // the sample
        assertThat(pi).isEnded();
        Assertions.assertThat(passed(pi, TASK_SAMPLE_FILESYSTEM)).isEqualTo(2);
        Assertions.assertThat(policies).isEmpty();
    }

    @Test
    void aFilesystemBelowTheThresholdWaits() {
        samples.add(inputs(40, 10 * GIB, 20 * GIB, 0, -1));
        ProcessInstance pi = start();
        execute(job(pi));
        assertThat(pi).isWaitingAt(EVENT_SAMPLE_INTERVAL).hasPassedInOrder(TASK_DECIDE_POLICY, TASK_RECORD_DECISION,
            GATEWAY_DECISION, GATEWAY_JOIN_WAIT);
        assertThat(pi).hasNotPassed(TASK_START_GROW);
        Assertions.assertThat(policies.get(0).get(OUTPUT_ACTION)).isEqualTo("WAIT");
    }

    @Test
    void theDefaultTableGrowsAt80PercentByTheLargerOf25PercentAnd1GiBThenCoolsDownUntilTheGuestSeesIt() {
        samples.add(inputs(91, 2 * GIB, 20 * GIB, 0, 3));
        growStarts.add(true);
        cooldowns.add(false);
        cooldowns.add(true);
        ProcessInstance pi = start();
        execute(job(pi));
        assertThat(pi).isWaitingAt(TASK_START_GROW);
        Assertions.assertThat(policies.get(0).get(OUTPUT_ACTION)).isEqualTo("GROW");
        Assertions.assertThat(((Number) policies.get(0).get(OUTPUT_GROW_BY)).longValue()).isEqualTo(GIB);
        execute(job(pi));
        assertThat(pi).isWaitingAt(EVENT_COOLDOWN_INTERVAL);
        execute(job(pi)); // timer
        execute(job(pi)); // check: still running
        assertThat(pi).isWaitingAt(EVENT_COOLDOWN_INTERVAL);
        execute(job(pi));
        execute(job(pi)); // check: over
        assertThat(pi).isWaitingAt(EVENT_SAMPLE_INTERVAL).hasPassed(GATEWAY_JOIN_COOLDOWN, GATEWAY_COOLDOWN_OVER);
        Assertions.assertThat(passed(pi, TASK_CHECK_COOLDOWN)).isEqualTo(2);
        Assertions.assertThat(grows).isEqualTo(1);
    }

    @Test
    void aRefusedGrowGoesBackToSampling() {
        samples.add(inputs(85, 10 * GIB, 20 * GIB, 0, -1));
        growStarts.add(false);
        ProcessInstance pi = start();
        execute(job(pi));
        execute(job(pi));
        assertThat(pi).isWaitingAt(EVENT_SAMPLE_INTERVAL).hasPassed(GATEWAY_GROW_STARTED)
            .hasNotPassed(EVENT_COOLDOWN_INTERVAL);
        // 25 % of 10 GiB is more than 1 GiB
        Assertions.assertThat(((Number) policies.get(0).get(OUTPUT_GROW_BY)).longValue()).isEqualTo(10 * GIB / 4);
    }

    @Test
    void observeModeRecordsTheGrowDecisionAndDoesNotGrow() {
        growWhenPolicySaysSo = false;
        samples.add(inputs(95, 10 * GIB, 20 * GIB, 0, 1));
        ProcessInstance pi = start();
        execute(job(pi));
        assertThat(pi).isWaitingAt(EVENT_SAMPLE_INTERVAL).hasNotPassed(TASK_START_GROW);
        Assertions.assertThat(policies.get(0).get(OUTPUT_ACTION)).isEqualTo("GROW");
    }

    @Test
    void theTableNeverGrowsPastMaxSizeAndStopsAtIt() {
        samples.add(inputs(90, 19 * GIB, 20 * GIB, 0, -1));
        samples.add(inputs(95, 20 * GIB, 20 * GIB, 1, -1));
        samples.add(inputs(40, 20 * GIB, 20 * GIB, 1, -1));
        growStarts.add(false);
        ProcessInstance pi = start();
        execute(job(pi));
        Assertions.assertThat(((Number) policies.get(0).get(OUTPUT_GROW_BY)).longValue()).isEqualTo(GIB);
        execute(job(pi)); // refused grow
        execute(job(pi)); // timer
        execute(job(pi)); // sample at maxSize
        Assertions.assertThat(policies.get(1).get(OUTPUT_ACTION)).isEqualTo("AT_LIMIT");
        assertThat(pi).isWaitingAt(EVENT_SAMPLE_INTERVAL);
        execute(job(pi));
        execute(job(pi)); // at maxSize but not filling: nothing to say
        Assertions.assertThat(policies.get(2).get(OUTPUT_ACTION)).isEqualTo("WAIT");
    }

    @Test
    void fillingWithin24HoursGrowsThreeTimesADayAndThenAlerts() {
        samples.add(inputs(50, 10 * GIB, 40 * GIB, 0, 20));
        samples.add(inputs(50, 10 * GIB, 40 * GIB, 3, 20));
        samples.add(inputs(85, 10 * GIB, 40 * GIB, 3, -1));
        growStarts.add(false);
        ProcessInstance pi = start();
        execute(job(pi));
        execute(job(pi));
        execute(job(pi));
        execute(job(pi));
        execute(job(pi));
        execute(job(pi));
        Assertions.assertThat(policies.stream().map(p -> String.valueOf(p.get(OUTPUT_ACTION))).toList())
            .containsExactly("GROW", "ALERT", "ALERT");
    }
}
