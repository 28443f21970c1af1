package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
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
        engine = ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration()
                .setJdbcUrl("jdbc:h2:mem:demo-user-plugin;DB_CLOSE_DELAY=-1")
                .setJobExecutorActivate(false)
                .setHistory(ProcessEngineConfiguration.HISTORY_NONE)
                .buildProcessEngine();
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

        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().count()).isEqualTo(1);
        assertThat(identity.getUserInfo(demo.getId(), "marker")).isEqualTo("kept");
        assertThat(engine.getAuthorizationService().createAuthorizationQuery().groupIdIn(Groups.CAMUNDA_ADMIN).count())
                .isEqualTo(Resources.values().length);
    }

    @Test
    void aDatabaseWithUsersIsNotEmptySoADeletedDemoStaysDeleted() {
        User ops = identity.newUser("ops");
        ops.setPassword("secret");
        identity.saveUser(ops);

        plugin(true, new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().userId("demo").count()).isZero();
    }

    @Test
    void switchedOff() {
        plugin(false, new MockEnvironment()).postProcessEngineBuild(engine);
        assertThat(identity.createUserQuery().count()).isZero();
    }

    @Test
    void camundasOwnAdminUserSettingTakesOver() {
        plugin(true, new MockEnvironment().withProperty("camunda.bpm.admin-user.id", "admin"))
                .postProcessEngineBuild(engine);
        assertThat(identity.createUserQuery().count()).isZero();
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

    private static DemoUserPlugin plugin(boolean createUser, MockEnvironment environment) {
        VdresizeProperties properties = new VdresizeProperties(List.of(),
                new VdresizeProperties.Storage(Duration.ofSeconds(1), Duration.ofMinutes(30), 4),
                new VdresizeProperties.Limits(1L << 44, 0), new VdresizeProperties.Approval(0, 0),
                new VdresizeProperties.Demo(createUser));
        return new DemoUserPlugin(properties, environment);
    }
}
