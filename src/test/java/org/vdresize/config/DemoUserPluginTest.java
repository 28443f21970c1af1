package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/**
 * Against a real in-memory engine: what "on an empty database" means, and which first users come
 * with which settings.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoUserPluginTest {

    @TempDir
    static Path tempDir;
    private static int files;

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
    void switchedOffTheRolesAndOnlyTheInitialAdministrator() {
        plugin(false, new MockEnvironment()).postProcessEngineBuild(engine);
        assertThat(identity.createUserQuery().list()).extracting(User::getId).containsExactly("admin");
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
                grant(Resources.APPLICATION, "cockpit", Permissions.ACCESS),
                grant(Resources.PROCESS_DEFINITION, process, ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.CREATE_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY,
                        ProcessDefinitionPermissions.READ_INSTANCE),
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
                        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY),
                grant(Resources.PROCESS_DEFINITION, "disk-watch", ProcessDefinitionPermissions.READ,
                        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY),
                grant(Resources.DECISION_DEFINITION, "autogrow-policy", Permissions.READ, Permissions.READ_HISTORY));
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

    @Test
    void withoutSettingsOnlyAdminWithARandomPasswordInAnOwnerOnlyFileWhosePathIsLogged(CapturedOutput output)
            throws Exception {
        Path file = tempDir.resolve("sub").resolve("initial-admin-password");

        plugin(false, new AdminProperties(null, null, file), new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().list()).extracting(User::getId).containsExactly("admin");
        assertThat(identity.createGroupQuery().groupMember("admin").list()).extracting(Group::getId)
                .containsExactly(Groups.CAMUNDA_ADMIN);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        String password = Files.readString(file).strip();
        assertThat(password).hasSize(24).matches("[A-Za-z0-9_-]+");
        assertThat(identity.checkPassword("admin", password)).isTrue();
        // last: a wrong password delays the user's next login (Camunda's lockout)
        assertNoOldPasswordWorks();
        assertThat(output.getAll()).contains(file.toAbsolutePath().toString()).doesNotContain(password);
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers).containsExactly(file);  // no temporary file stays behind
        }
    }

    @Test
    void theRandomPasswordDiffersFromStartToStart() throws Exception {
        Path first = tempDir.resolve("first");
        plugin(false, new AdminProperties(null, null, first), new MockEnvironment()).postProcessEngineBuild(engine);
        emptyIdentityDatabase();
        Path second = tempDir.resolve("second");
        plugin(false, new AdminProperties(null, null, second), new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(Files.readString(first)).isNotEqualTo(Files.readString(second));
        assertThat(identity.checkPassword("admin", Files.readString(second).strip())).isTrue();
    }

    @Test
    void anExistingPasswordFileIsNeverOverwrittenAndNoAdminIsCreatedWithAPasswordNobodyKnows(CapturedOutput output)
            throws Exception {
        Path file = tempDir.resolve("initial-admin-password");
        Files.writeString(file, "from an earlier database\n");

        plugin(false, new AdminProperties(null, null, file), new MockEnvironment()).postProcessEngineBuild(engine);

        assertThat(Files.readString(file)).isEqualTo("from an earlier database\n");
        assertThat(identity.createUserQuery().count()).isZero();
        assertThat(identity.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).count()).isOne();
        assertThat(output.getAll()).contains(file + " exists, so no administrator was created");
    }

    @Test
    void aFileThatCannotBeWrittenStopsTheStartWithAClearError() throws Exception {
        Path notADirectory = tempDir.resolve("file");
        Files.writeString(notADirectory, "x");
        Path file = notADirectory.resolve("initial-admin-password");

        assertThatThrownBy(() -> plugin(false, new AdminProperties(null, null, file), new MockEnvironment())
                .postProcessEngineBuild(engine))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not write the initial administrator's password to " + file)
                .hasMessageContaining("vdresize.admin.user");
        assertThat(identity.createUserQuery().count()).isZero();
    }

    @Test
    void theConfiguredAdministratorIsCreatedInCamundaAdminAndNoOneElse(CapturedOutput output) {
        Path file = tempDir.resolve("initial-admin-password");

        plugin(false, new AdminProperties("root1", "Correct-Horse-7", file), new MockEnvironment())
                .postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().list()).extracting(User::getId).containsExactly("root1");
        assertThat(identity.checkPassword("root1", "Correct-Horse-7")).isTrue();
        assertThat(identity.createGroupQuery().groupMember("root1").list()).extracting(Group::getId)
                .containsExactly(Groups.CAMUNDA_ADMIN);
        assertThat(file).doesNotExist();
        assertNoOldPasswordWorks();
        assertThat(output.getAll()).contains("root1").doesNotContain("Correct-Horse-7");
    }

    @Test
    void theConfiguredAdministratorAndTheDemoUsersTogether() {
        plugin(true, new AdminProperties("demo", "not-demo", tempDir.resolve("f")), new MockEnvironment())
                .postProcessEngineBuild(engine);

        assertThat(identity.checkPassword("demo", "not-demo")).isTrue();
        assertThat(identity.checkPassword("demo", "demo")).isFalse();
        assertThat(identity.checkPassword("operator", "operator")).isTrue();
        assertThat(identity.createUserQuery().count()).isEqualTo(4);
        assertThat(tempDir.resolve("f")).doesNotExist();
    }

    @Test
    void theAdminSettingsChangeNothingOnADatabaseWithUsers() {
        User ops = identity.newUser("ops");
        ops.setPassword("secret");
        identity.saveUser(ops);

        plugin(false, new AdminProperties("root1", "Correct-Horse-7", null), new MockEnvironment())
                .postProcessEngineBuild(engine);

        assertThat(identity.createUserQuery().list()).extracting(User::getId).containsExactly("ops");
    }

    @Test
    void userAndPasswordComeTogetherOrNotAtAll() {
        assertThatThrownBy(() -> new AdminProperties("root1", null, null))
                .hasMessageContaining("vdresize.admin.password is not");
        assertThatThrownBy(() -> new AdminProperties(" ", "secret", null))
                .hasMessageContaining("vdresize.admin.user is not");
        assertThat(new AdminProperties("root1", "secret", null).toString()).doesNotContain("secret");
        assertThat(new AdminProperties("", "", null).configured()).isFalse();
    }

    @Test
    void theEnvironmentVariablesBindAsTheProperties() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("VDRESIZE_ADMIN_USER", "root2", "VDRESIZE_ADMIN_PASSWORD", "Pw-from-env-1",
                                "VDRESIZE_ADMIN_PASSWORD_FILE", "/srv/x/pw")));

        AdminProperties admin = Binder.get(environment).bind("vdresize.admin", AdminProperties.class).get();

        assertThat(admin.user()).isEqualTo("root2");
        assertThat(admin.password()).isEqualTo("Pw-from-env-1");
        assertThat(admin.passwordFile()).isEqualTo(Path.of("/srv/x/pw"));
    }

    @Test
    void thePasswordFileGoesNextToAnH2FileDatabaseByDefault() {
        AdminProperties none = new AdminProperties(null, null, null);
        assertThat(plugin(false, none, new MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:h2:file:/var/lib/vdresize/db;MODE=X")).passwordFile())
                .isEqualTo(Path.of("/var/lib/vdresize/initial-admin-password"));
        assertThat(plugin(false, none, new MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:h2:file:./data/vdresize")).passwordFile())
                .isEqualTo(Path.of("data/initial-admin-password").toAbsolutePath());
        assertThat(plugin(false, none, new MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:postgresql://db/vdresize")).passwordFile())
                .isEqualTo(Path.of("data", "initial-admin-password"));
        assertThat(plugin(false, new AdminProperties(null, null, Path.of("/etc/pw")), new MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:h2:file:/var/lib/vdresize/db")).passwordFile())
                .isEqualTo(Path.of("/etc/pw"));
    }

    private static void assertNoOldPasswordWorks() {
        for (String user : List.of("demo", "operator", "approver", "auditor", "admin")) {
            assertThat(identity.checkPassword(user, user)).as(user + "/" + user).isFalse();
        }
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
        return plugin(createUser, new AdminProperties(null, null, tempDir.resolve("pw-" + ++files)), environment);
    }

    private static DemoUserPlugin plugin(boolean createUser, AdminProperties admin, MockEnvironment environment) {
        VdresizeProperties properties = new VdresizeProperties(List.of(),
                new VdresizeProperties.Storage(Duration.ofSeconds(1), Duration.ofMinutes(30), 4),
                new VdresizeProperties.Limits(1L << 44, 0), new VdresizeProperties.Approval(0, 0),
                new VdresizeProperties.Demo(createUser));
        return new DemoUserPlugin(properties, admin, environment);
    }
}
