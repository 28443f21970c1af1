package org.vdresize.common;

/**
 * The groups of vdresize's four roles (README, "Users and roles") and how a group is a Spring Security
 * authority. config sets them up in the engine (config.Roles) and guards the URLs with them; a controller
 * that decides by role within a request reads them here.
 */
public final class RoleGroups {

    public static final String OPERATORS = "disk-operators";
    public static final String APPROVERS = "disk-approvers";
    public static final String AUDITORS = "auditors";
    /** Camunda's own administrators' group ({@code Groups.CAMUNDA_ADMIN}, checked by RoleGroupsTest) */
    public static final String ADMINS = "camunda-admin";

    /** The authority of each of a user's Camunda groups: this prefix and the group's id. */
    public static final String AUTHORITY_PREFIX = "GROUP_";

    private RoleGroups() {
    }

    public static String authority(String group) {
        return AUTHORITY_PREFIX + group;
    }
}
