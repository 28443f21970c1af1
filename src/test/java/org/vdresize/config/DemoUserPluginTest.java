package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Against a real in-memory engine: what "on an empty database" means for the demo user. */
class DemoUserPluginTest {

    private static ProcessEngine engine;
    private static IdentityService identity;

    @BeforeAll
    static void engine() {
        ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) ProcessEngineConfiguration
                .createStandaloneInMemProcessEngineConfiguration()
                .setJdbcUrl("jdbc:h2:mem:demo-user-plugin;DB_CLOSE_DELAY=-1")
                .setJobExecutorActivate(false)
                .setHistory(ProcessEngineConfiguration.HISTORY_NONE);
        plugin(true, new MockEnvironment()).preInit(configuration);  // the group ids with a hyphen
        engine = configuration.buildProcessEngine();
        identity = engine.getIdentityService();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @BeforeEach
    void emptyIdentityDatabase() {
        identity.createUserQuery().list().forEach(u -> identity.deleteUser(u.getId()));
        identity.createGroupQuery().list().forEach(g -> identity.deleteGroup(g.getId()));
        engine.getAuthorizationService().createAuthorizationQuery().list()
                .forEach(a -> engine.getAuthorizationService().deleteAuthorization(a.getId()));
        engine.getFilterService().createFilterQuery().list().forEach(f -> engine.getFilterService().deleteFilter(f.getId()));
    }

    @Test
    void emptyDatabaseGetsDemoInCamundaAdmin() {
        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.checkPassword("demo", "demo")).isTrue();
        assertThat(identity.createUserQuery().memberOfGroup(Groups.CAMUNDA_ADMIN).singleResult().getId()).isEqualTo("demo");
        Group admins = identity.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).singleResult();
        assertThat(admins.getType()).isEqualTo(Groups.GROUP_TYPE_SYSTEM);
        List<Authorization> grants = engine.getAuthorizationService().createAuthorizationQuery()
                .groupIdIn(Groups.CAMUNDA_ADMIN).list();
        assertThat(grants).hasSize(Resources.values().length)
                .allSatisfy(a -> {
                    assertThat(a.getResourceId()).isEqualTo(Authorization.ANY);
                    assertThat(a.isPermissionGranted(Permissions.ALL)).isTrue();
                });
    }

    @Test
    void runningAgainChangesNothing() {
        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);
        User demo = identity.createUserQuery().userId("demo").singleResult();
        identity.setUserInfo("demo", "marker", "kept");
        long authorizations = engine.getAuthorizationService().createAuthorizationQuery().count();

        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().count()).isEqualTo(4);
        assertThat(identity.getUserInfo(demo.getId(), "marker")).isEqualTo("kept");
        assertThat(engine.getAuthorizationService().createAuthorizationQuery().groupIdIn(Groups.CAMUNDA_ADMIN).count())
                .isEqualTo(Resources.values().length);
        assertThat(engine.getAuthorizationService().createAuthorizationQuery().count()).isEqualTo(authorizations);
        assertThat(engine.getFilterService().createFilterQuery().count()).isOne();
    }

    @Test
    void aDatabaseWithUsersIsNotEmptySoADeletedDemoStaysDeleted() {
        User ops = identity.newUser("ops");
        ops.setPassword("secret");
        identity.saveUser(ops);

        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().userId("demo").count()).isZero();
        assertThat(identity.createGroupQuery().count()).isZero();
    }

    @Test
    void switchedOffNoUsersButTheRoles() {
        plugin(false, new MockEnvironment()).postProcessEngineBuild(engine);
        assertThat(identity.createUserQuery().count()).isZero();
        assertThat(identity.createGroupQuery().list()).extracting(Group::getId)
                .containsExactlyInAnyOrder(Roles.ADMINS, Roles.OPERATORS, Roles.APPROVERS, Roles.AUDITORS);
    }

    @Test
    void camundasOwnAdminUserSettingTakesOverTheUsersNotTheRoles() {
        plugin(true, new MockEnvironment().withProperty("camunda.bpm.admin-user.id", "admin"))
                .postProcessEngineBuild(engine);
        assertThat(identity.createUserQuery().count()).isZero();
        assertThat(identity.createGroupQuery().groupId(Roles.AUDITORS).count()).isOne();
    }

    @Test
    void theRolesAlsoComeWhenCamundasAdminWasCreatedFirst() {
        User admin = identity.newUser("admin");
        admin.setPassword("secret");
        identity.saveUser(admin);

        plugin(true, new MockEnvironment().withProperty("camunda.bpm.admin-user.id", "admin"))
                .postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().count()).isOne();
        assertThat(identity.createGroupQuery().groupId(Roles.OPERATORS).count()).isOne();
    }

    @Test
    void anExistingAdminGroupIsJoinedNotDuplicated() {
        Group admins = identity.newGroup(Groups.CAMUNDA_ADMIN);
        admins.setName("admins");
        identity.saveGroup(admins);

        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().memberOfGroup(Groups.CAMUNDA_ADMIN).count()).isEqualTo(1);
        assertThat(identity.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).singleResult().getName()).isEqualTo("admins");
        assertThat(engine.getAuthorizationService().createAuthorizationQuery().groupIdIn(Groups.CAMUNDA_ADMIN).count())
                .isZero();
    }

    @Test
    void emptyDatabaseGetsOneDemoUserPerRole() {
        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        for (String[] user : new String[][] {{"operator", Roles.OPERATORS}, {"approver", Roles.APPROVERS},
                {"auditor", Roles.AUDITORS}}) {
            assertThat(identity.checkPassword(user[0], user[0])).as(user[0]).isTrue();
            assertThat(identity.createGroupQuery().groupMember(user[0]).list()).extracting(Group::getId)
                    .containsExactly(user[1]);
        }
        assertThat(identity.createUserQuery().count()).isEqualTo(4);
    }

    @Test
    void theRolesGetTheirGrantsAndTheTaskFilter() {
        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        Filter filter = engine.getFilterService().createTaskFilterQuery().filterName(Roles.TASK_FILTER_NAME).singleResult();
        assertThat(filter).isNotNull();
        assertThat(filter.getOwner()).isNull();
        String process = "virtual-disk-resize";
        assertThat(grants(Roles.OPERATORS)).containsExactlyInAnyOrder(
                grant(Resources.APPLICATION, "tasklist", Permissions.ACCESS),
                grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.CREATE_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY),
                grant(Resources.PROCESS_INSTANCE, "*", ProcessInstancePermissions.CREATE),
                grant(Resources.FILTER, filter.getId(), Permissions.READ));
        assertThat(grants(Roles.APPROVERS)).containsExactlyInAnyOrder(
                grant(Resources.APPLICATION, "tasklist", Permissions.ACCESS),
                grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.READ_HISTORY),
                grant(Resources.FILTER, filter.getId(), Permissions.READ));
        assertThat(grants(Roles.AUDITORS)).containsExactlyInAnyOrder(
                grant(Resources.APPLICATION, "cockpit", Permissions.ACCESS),
                grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY));
        assertThat(engine.getAuthorizationService().createAuthorizationQuery().list())
                .allSatisfy(a -> assertThat(a.getAuthorizationType()).isEqualTo(Authorization.AUTH_TYPE_GRANT));
    }

    @Test
    void groupsThatExistKeepTheirGrants() {
        Group operators = identity.newGroup(Roles.OPERATORS);
        identity.saveGroup(operators);

        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(grants(Roles.OPERATORS)).isEmpty();
        assertThat(grants(Roles.AUDITORS)).isNotEmpty();
        assertThat(identity.createUserQuery().memberOfGroup(Roles.OPERATORS).singleResult().getId()).isEqualTo("operator");
    }

    /** Each grant of the group as "resource type, resource id, permission bits". */
    private static List<String> grants(String group) {
        return engine.getAuthorizationService().createAuthorizationQuery().groupIdIn(group).list().stream()
                .map(a -> a.getResourceType() + " " + a.getResourceId() + " " + ((AuthorizationEntity) a).getPermissions())
                .toList();
    }

    private static String grant(Resources resource, String id, Permission... permissions) {
        return resource.resourceType() + " " + id + " "
                + Arrays.stream(permissions).mapToInt(Permission::getValue).reduce(0, (a, b) -> a | b);
    }

    private static DemoUserPlugin plugin(boolean createUser, MockEnvironment environment) {
        VdresizeProperties properties = new VdresizeProperties(List.of(),
                new VdresizeProperties.Storage(Duration.ofSeconds(1), Duration.ofMinutes(30), 4),
                new VdresizeProperties.Limits(1L << 44, 0), new VdresizeProperties.Approval(0, 0),
                new VdresizeProperties.Demo(createUser));
        return new DemoUserPlugin(properties, environment);
    }
}
