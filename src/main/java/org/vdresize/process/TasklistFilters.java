package org.vdresize.process;

import static org.vdresize.process.ResizeProcess.PROCESS_KEY;
import static org.vdresize.process.ResizeProcess.USER_TASK_APPROVE_RESIZE;
import static org.vdresize.process.ResizeProcess.USER_TASK_RESOLVE_VM_FAILURE;
import static org.vdresize.process.ResizeProcess.VAR_DISK_PATH;
import static org.vdresize.process.ResizeProcess.VAR_ERROR_CODE;
import static org.vdresize.process.ResizeProcess.VAR_INITIATOR;
import static org.vdresize.process.ResizeProcess.VAR_NEW_SIZE;
import static org.vdresize.process.ResizeProcess.VAR_OLD_SIZE;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.task.TaskQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Tasklist's task filters for the resize's two user tasks. Without a filter Tasklist lists no task
 * at all ("No filter available"), so an approver would not find the approval waiting for them.
 * Created only when the database has no filter at all (like the demo user): filters that people
 * changed, renamed or deleted are theirs. Off with {@code vdresize.tasklist.create-filters=false}.
 *
 * <ul>
 * <li><b>Resizes to approve</b>: {@code UserTask_ApproveResize} of a group of the current user
 * (disk-approvers, camunda-admin), claimed ones included;</li>
 * <li><b>Resizes that need attention</b>: {@code UserTask_ResolveVmFailure} likewise (disk-operators,
 * camunda-admin);</li>
 * <li><b>My tasks</b>: what the current user has claimed.</li>
 * </ul>
 * Each is readable by every user (a global READ authorization, as Camunda's own demo data does):
 * a filter is only a query, and which tasks it shows still depends on the user's groups.
 */
@Component
public class TasklistFilters extends AbstractProcessEnginePlugin {

    public static final String TO_APPROVE = "Resizes to approve";
    public static final String NEED_ATTENTION = "Resizes that need attention";
    public static final String MY_TASKS = "My tasks";
    private static final Logger log = LoggerFactory.getLogger(TasklistFilters.class);

    private final boolean enabled;

    public TasklistFilters(@Value("${vdresize.tasklist.create-filters:true}") boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        FilterService filters = engine.getFilterService();
        if (!enabled || filters.createFilterQuery().count() > 0) {
            return;
        }
        try {
            AuthorizationService authorizations = engine.getAuthorizationService();
            TaskQuery tasks = engine.getTaskService().createTaskQuery();
            save(filters, authorizations, TO_APPROVE, -20, "Large resizes waiting for a disk approver",
                    tasks.processDefinitionKey(PROCESS_KEY).taskDefinitionKey(USER_TASK_APPROVE_RESIZE)
                            .taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks(),
                    List.of(variable(VAR_DISK_PATH, "Disk"), variable(VAR_OLD_SIZE, "Size now (bytes)"),
                            variable(VAR_NEW_SIZE, "New size (bytes)"), variable(VAR_INITIATOR, "Requested by")));
            save(filters, authorizations, NEED_ATTENTION, -10,
                    "Resizes whose VM step failed after a VM saw the new size: retry the remaining VMs or finish",
                    engine.getTaskService().createTaskQuery().processDefinitionKey(PROCESS_KEY)
                            .taskDefinitionKey(USER_TASK_RESOLVE_VM_FAILURE)
                            .taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks(),
                    List.of(variable(VAR_DISK_PATH, "Disk"), variable(VAR_ERROR_CODE, "Error")));
            save(filters, authorizations, MY_TASKS, 0, "Tasks you have claimed",
                    engine.getTaskService().createTaskQuery().taskAssigneeExpression("${currentUser()}"), List.of());
            log.info("created the Tasklist filters '{}', '{}' and '{}'", TO_APPROVE, NEED_ATTENTION, MY_TASKS);
        } catch (RuntimeException e) {
            // another node sharing the database may be doing the same at this moment
            log.warn("could not create the Tasklist filters: {}", e.toString());
        }
    }

    private static void save(FilterService filters, AuthorizationService authorizations, String name, int priority,
                             String description, TaskQuery query, List<Map<String, String>> variables) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("description", description);
        properties.put("priority", priority);
        properties.put("refresh", true);
        if (!variables.isEmpty()) {
            properties.put("variables", variables);   // shown with each task in the list
        }
        Filter filter = filters.newTaskFilter(name).setQuery(query).setProperties(properties);
        filters.saveFilter(filter);
        Authorization read = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GLOBAL);
        read.setResource(Resources.FILTER);
        read.setResourceId(filter.getId());
        read.addPermission(Permissions.READ);
        authorizations.saveAuthorization(read);
    }

    private static Map<String, String> variable(String name, String label) {
        return Map.of("name", name, "label", label);
    }
}
