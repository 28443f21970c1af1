package org.vdresize.config;

import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Creates {@code demo}/{@code demo} in {@code camunda-admin} on an empty identity database
 * (api-contract.md, "Users and authentication"). Off with {@code vdresize.demo.create-user=false}.
 *
 * <p>Not the starter's {@code camunda.bpm.admin-user}: that one re-creates its user at every start
 * once it has been deleted, which would bring a deleted demo/demo account back. Here the user is
 * created only when the database has no user at all. When {@code camunda.bpm.admin-user.id} is
 * set, Camunda creates that administrator instead and this plugin stays out of the way.
 * Runs while the engine is built, so the user exists before the first HTTP request.
 */
@Component
public class DemoUserPlugin extends AbstractProcessEnginePlugin {

    static final String USER_ID = "demo";
    private static final String PASSWORD = "demo";
    private static final Logger log = LoggerFactory.getLogger(DemoUserPlugin.class);

    private final VdresizeProperties properties;
    private final Environment environment;

    public DemoUserPlugin(VdresizeProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        IdentityService identity = engine.getIdentityService();
        if (!properties.demo().createUser() || environment.containsProperty("camunda.bpm.admin-user.id")
                || identity.isReadOnly() || identity.createUserQuery().count() > 0) {
            return;
        }
        try {
            createDemoUser(identity, engine.getAuthorizationService());
            log.warn("created user '{}' with password '{}' in group {} on an empty database; change the password"
                    + " or start with vdresize.demo.create-user=false", USER_ID, PASSWORD, Groups.CAMUNDA_ADMIN);
        } catch (RuntimeException e) {
            // another node sharing the database may have created it at the same moment
            log.warn("could not create the demo user: {}", e.toString());
        }
    }

    private static void createDemoUser(IdentityService identity, AuthorizationService authorizations) {
        User user = identity.newUser(USER_ID);
        user.setFirstName("Demo");
        user.setLastName("User");
        user.setPassword(PASSWORD);
        identity.saveUser(user);
        if (identity.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).count() == 0) {
            Group admins = identity.newGroup(Groups.CAMUNDA_ADMIN);
            admins.setName("camunda BPM Administrators");
            admins.setType(Groups.GROUP_TYPE_SYSTEM);
            identity.saveGroup(admins);
            // what Camunda's own admin setup grants, so the webapps work once authorization is enabled
            for (Resources resource : Resources.values()) {
                Authorization all = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
                all.setGroupId(Groups.CAMUNDA_ADMIN);
                all.setResource(resource);
                all.setResourceId(Authorization.ANY);
                all.addPermission(Permissions.ALL);
                authorizations.saveAuthorization(all);
            }
        }
        identity.createMembership(USER_ID, Groups.CAMUNDA_ADMIN);
    }
}
