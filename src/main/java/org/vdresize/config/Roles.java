package org.vdresize.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.identity.Group;
import org.vdresize.common.RoleGroups;
import org.vdresize.process.ResizeProcess;
import org.vdresize.process.WatchProcess;

/**
 * The four roles of vdresize, as Camunda groups, and what each may do in the engine and the webapps
 * once Camunda's authorization checks are on ({@code camunda.bpm.authorization.enabled}). The /api
 * enforces the same roles itself ({@link ApiSecurityConfiguration}).
 *
 * <ul>
 * <li>{@value #OPERATORS}: start resizes (Tasklist start form, /engine-rest, POST /api/resizes) and
 * work the needs-attention task; Cockpit read-only (the resizes' dashboard and tab);</li>
 * <li>{@value #APPROVERS}: decide approval tasks in Tasklist;</li>
 * <li>{@value #AUDITORS}: read resizes, disks and the audit trail; Cockpit read-only;</li>
 * <li>{@value #ADMINS}: everything (Camunda's administrator group).</li>
 * </ul>
 *
 * <p>Tasks need no grant here: the process names candidate groups on its user tasks, and for each
 * task the engine grants its candidate groups READ and the default task permission
 * ({@code TASK_WORK}, application.yml) on that one task. So approvers can see and complete approval
 * tasks but not needs-attention tasks, and operators the other way round.
 */
public final class Roles {

    // the groups themselves are named in common.RoleGroups, which the api reads too
    public static final String OPERATORS = RoleGroups.OPERATORS;
    public static final String APPROVERS = RoleGroups.APPROVERS;
    public static final String AUDITORS = RoleGroups.AUDITORS;
    public static final String ADMINS = RoleGroups.ADMINS;

    /** The shared Tasklist filter through which operators and approvers see their tasks. */
    public static final String TASK_FILTER_NAME = "Resize tasks";

    static final String TASKLIST = "tasklist";
    static final String COCKPIT = "cockpit";

    private Roles() {
    }

    /** One grant for a group: a resource (id or {@code *}) and the permissions on it. */
    record Grant(Resource resource, String resourceId, Permission... permissions) {
    }

    /** What each role group is granted in the engine; {@code filterId} is the Tasklist filter's id. */
    static Map<String, List<Grant>> grants(String filterId) {
        String process = ResizeProcess.PROCESS_KEY;
        Map<String, List<Grant>> grants = new LinkedHashMap<>();
        grants.put(OPERATORS, List.of(
                new Grant(Resources.APPLICATION, TASKLIST, Permissions.ACCESS),
                // Cockpit, read-only: the resizes' dashboard and tab (vdresize's plugin) and the instances
                new Grant(Resources.APPLICATION, COCKPIT, Permissions.ACCESS),
                // READ: the start form and the task's diagram; CREATE_INSTANCE + CREATE: start it;
                // READ_HISTORY: Tasklist's history tab of a task, and the operation log; READ_INSTANCE:
                // the running instances in Cockpit (changing them needs UPDATE_INSTANCE, not granted)
                new Grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.CREATE_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY,
                        ProcessDefinitionPermissions.READ_INSTANCE),
                new Grant(Resources.PROCESS_INSTANCE, Authorization.ANY, ProcessInstancePermissions.CREATE),
                new Grant(Resources.FILTER, filterId, Permissions.READ)));
        grants.put(APPROVERS, List.of(
                new Grant(Resources.APPLICATION, TASKLIST, Permissions.ACCESS),
                new Grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.READ_HISTORY),
                new Grant(Resources.FILTER, filterId, Permissions.READ)));
        grants.put(AUDITORS, List.of(
                new Grant(Resources.APPLICATION, COCKPIT, Permissions.ACCESS),
                // READ_INSTANCE: running instances, their jobs and incidents, of this process only
                new Grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY),
                // the watches' loops and the policy's decision history, read-only
                new Grant(Resources.PROCESS_DEFINITION, WatchProcess.PROCESS_KEY, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY),
                new Grant(Resources.DECISION_DEFINITION, WatchProcess.DECISION_KEY, Permissions.READ,
                        Permissions.READ_HISTORY)));
        return grants;
    }

    /**
     * Creates the groups that do not exist yet, each with its grants. A group that exists is left as
     * it is, grants and all: an administrator may have changed them on purpose.
     *
     * @return the ids of the groups created
     */
    static List<String> createMissing(ProcessEngine engine) {
        IdentityService identity = engine.getIdentityService();
        AuthorizationService authorizations = engine.getAuthorizationService();
        List<String> created = new ArrayList<>();
        if (createGroup(identity, ADMINS, "camunda BPM Administrators", Groups.GROUP_TYPE_SYSTEM)) {
            // what Camunda's own admin setup grants (camunda-admin is also the engine's admin group)
            for (Resources resource : Resources.values()) {
                grant(authorizations, ADMINS, new Grant(resource, Authorization.ANY, Permissions.ALL));
            }
            created.add(ADMINS);
        }
        Map<String, String> names = Map.of(OPERATORS, "Disk operators", APPROVERS, "Disk resize approvers",
                AUDITORS, "Auditors");
        String filterId = null;
        for (Map.Entry<String, List<Grant>> role : grants("").entrySet()) {
            String group = role.getKey();
            if (!createGroup(identity, group, names.get(group), Groups.GROUP_TYPE_WORKFLOW)) {
                continue;
            }
            for (Grant grant : role.getValue()) {
                if (grant.resource() == Resources.FILTER) {
                    if (filterId == null) {
                        filterId = taskFilter(engine);
                    }
                    grant = new Grant(grant.resource(), filterId, grant.permissions());
                }
                grant(authorizations, group, grant);
            }
            created.add(group);
        }
        return created;
    }

    private static boolean createGroup(IdentityService identity, String id, String name, String type) {
        if (identity.createGroupQuery().groupId(id).count() > 0) {
            return false;
        }
        Group group = identity.newGroup(id);
        group.setName(name);
        group.setType(type);
        identity.saveGroup(group);
        return true;
    }

    private static void grant(AuthorizationService authorizations, String group, Grant grant) {
        Authorization authorization = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
        authorization.setGroupId(group);
        authorization.setResource(grant.resource());
        authorization.setResourceId(grant.resourceId());
        for (Permission permission : grant.permissions()) {
            authorization.addPermission(permission);
        }
        authorizations.saveAuthorization(authorization);
    }

    /**
     * The Tasklist filter of resize tasks, created when missing. Without a filter it may read, a
     * Tasklist user sees no task at all. It needs no condition on groups: with authorization on, a
     * task query returns only the tasks the user may read, which are those of the user's groups.
     */
    private static String taskFilter(ProcessEngine engine) {
        FilterService filters = engine.getFilterService();
        List<Filter> existing = filters.createTaskFilterQuery().filterName(TASK_FILTER_NAME).list();
        if (!existing.isEmpty()) {
            return existing.get(0).getId();
        }
        Filter filter = filters.newTaskFilter(TASK_FILTER_NAME);
        filter.setQuery(engine.getTaskService().createTaskQuery().processDefinitionKey(ResizeProcess.PROCESS_KEY));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("description", "Approvals and resizes that need attention, for your groups");
        properties.put("priority", -10);
        properties.put("color", "#3b6eb4");
        properties.put("refresh", true);
        filter.setProperties(properties);
        return filters.saveFilter(filter).getId();
    }
}
