package org.vdresize.config;

import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.vdresize.process.ResizeProcess;

/**
 * Bounds the engine's history ({@link HistoryProperties}): every definition of the resize process
 * gets the configured time to live, and the engine's history cleanup runs in the configured window.
 *
 * <ul>
 *   <li>The diagram has no {@code camunda:historyTimeToLive}: a newly deployed version takes the
 *       engine's default, set here. Versions deployed before (with the diagram's former P180D, or
 *       another value configured at an earlier start) are set to the configured value at start-up,
 *       and the instances of such a version that have already ended get their removal time
 *       computed again, by a batch the job executor runs.</li>
 *   <li>Cleanup is removal-time based (Camunda's default): when an instance ends, all of its
 *       history gets the removal time end + time to live, and the cleanup job deletes what is due
 *       in its window. Batches, the cleanup job's own log and task metrics get the same time to live,
 *       so nothing in ACT_HI_* grows for ever.</li>
 * </ul>
 */
@Component
public class HistoryCleanupPlugin extends AbstractProcessEnginePlugin {

    private static final Logger log = LoggerFactory.getLogger(HistoryCleanupPlugin.class);

    private final HistoryProperties properties;

    public HistoryCleanupPlugin(HistoryProperties properties) {
        this.properties = properties;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        String ttl = "P" + properties.timeToLiveDays() + "D";
        configuration.setHistoryTimeToLive(ttl);
        configuration.setEnforceHistoryTimeToLive(true);
        configuration.setHistoryRemovalTimeStrategy(ProcessEngineConfigurationImpl.HISTORY_REMOVAL_TIME_STRATEGY_END);
        configuration.setHistoryCleanupStrategy(ProcessEngineConfigurationImpl.HISTORY_CLEANUP_STRATEGY_REMOVAL_TIME_BASED);
        configuration.setBatchOperationHistoryTimeToLive(ttl);
        configuration.setHistoryCleanupJobLogTimeToLive(ttl);
        configuration.setTaskMetricsTimeToLive(ttl);
        configuration.setHistoryCleanupEnabled(true);
        if (properties.cleanupScheduled()) {
            configuration.setHistoryCleanupBatchWindowStartTime(properties.cleanupWindowStart());
            configuration.setHistoryCleanupBatchWindowEndTime(properties.cleanupWindowEnd());
        }
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        int days = properties.timeToLiveDays();
        RepositoryService repository = engine.getRepositoryService();
        HistoryService history = engine.getHistoryService();
        List<ProcessDefinition> versions = repository.createProcessDefinitionQuery()
                .processDefinitionKey(ResizeProcess.PROCESS_KEY).list();
        for (ProcessDefinition version : versions) {
            if (version.getHistoryTimeToLive() != null && version.getHistoryTimeToLive() == days) {
                continue;
            }
            repository.updateProcessDefinitionHistoryTimeToLive(version.getId(), days);
            var ended = history.createHistoricProcessInstanceQuery().processDefinitionId(version.getId()).finished();
            long count = ended.count();
            if (count > 0) {
                history.setRemovalTimeToHistoricProcessInstances().calculatedRemovalTime().byQuery(ended).executeAsync();
            }
            log.info("history time to live of {} version {}: {} -> {} days; removal time recomputed for {} ended instances",
                    version.getKey(), version.getVersion(), version.getHistoryTimeToLive(), days, count);
        }
        log.info("engine history: kept {} days after a resize ends; cleanup {}", days, properties.cleanupScheduled()
                ? "daily from " + properties.cleanupWindowStart() + " to " + properties.cleanupWindowEnd()
                : "not scheduled (vdresize.history.cleanup-window-start is empty)");
    }
}
