package org.vdresize.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Sets up an empty identity database: the {@link Roles} (groups, their Camunda authorizations and
 * the Tasklist filter), and with {@code vdresize.demo.create-user} (default true) one demo user per
 * role: {@code demo}/{@code demo} in {@code camunda-admin} (api-contract.md, "Users and
 * authentication"), {@code operator}, {@code approver} and {@code auditor}, each with its name as
 * password.
 *
 * <p>"Empty" means no user at all, or only the administrator that {@code camunda.bpm.admin-user.id}
 * names (Camunda's own plugin creates it, possibly before this one runs). Nothing is set up on a
 * database that has users, so a deleted demo account does not come back. That is also why the
 * starter's {@code camunda.bpm.admin-user} is not used for demo: it re-creates its user at every
 * start once it has been deleted. When {@code camunda.bpm.admin-user.id} is set, Camunda creates
 * that administrator and no demo user is created; the role groups still are. A read-only identity
 * service (LDAP) is left alone: its groups are not ours to create.
 * Runs while the engine is built, so all of it exists before the first HTTP request.
 */
@Component
public class DemoUserPlugin extends AbstractProcessEnginePlugin {

    static final String USER_ID = "demo";
    private static final String PASSWORD = "demo";
    private static final String ADMIN_USER_PROPERTY = "camunda.bpm.admin-user.id";
    private static final Logger log = LoggerFactory.getLogger(DemoUserPlugin.class);

    /** The demo users: id (also the password), first name, last name, group. */
    static final List<List<String>> DEMO_USERS = List.of(
            List.of(USER_ID, "Demo", "User", Roles.ADMINS),
            List.of("operator", "Olga", "Operator", Roles.OPERATORS),
            List.of("approver", "Arno", "Approver", Roles.APPROVERS),
            List.of("auditor", "Ada", "Auditor", Roles.AUDITORS));

    private final VdresizeProperties properties;
    private final Environment environment;

    public DemoUserPlugin(VdresizeProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    /**
     * Camunda accepts only letters and digits (and camunda-admin) as group ids unless told
     * otherwise; the role groups have a hyphen. An explicitly configured pattern
     * ({@code camunda.bpm.generic-properties.properties.group-resource-whitelist-pattern}) is kept.
     */
    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        String groups = configuration.getGroupResourceWhitelistPattern();
        if (groups == null || groups.isEmpty()) {
            configuration.setGroupResourceWhitelistPattern(
                    configuration.getGeneralResourceWhitelistPattern() + "|" + Roles.OPERATORS + "|" + Roles.APPROVERS);
        }
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        IdentityService identity = engine.getIdentityService();
        String adminUser = environment.getProperty(ADMIN_USER_PROPERTY);
        if (identity.isReadOnly() || !empty(identity, adminUser)) {
            return;
        }
        try {
            List<String> groups = Roles.createMissing(engine);
            if (!groups.isEmpty()) {
                log.info("created the groups {} with their authorizations on an empty identity database", groups);
            }
        } catch (RuntimeException e) {
            // another node sharing the database may have created them at the same moment
            log.warn("could not create the role groups: {}", e.toString());
            return;
        }
        if (!properties.demo().createUser() || adminUser != null) {
            return;
        }
        Map<String, String> created = new LinkedHashMap<>();
        try {
            for (List<String> user : DEMO_USERS) {
                createUser(identity, user.get(0), user.get(1), user.get(2), user.get(3));
                created.put(user.get(0), user.get(3));
            }
        } catch (RuntimeException e) {
            log.warn("could not create the demo users: {}", e.toString());
        }
        if (!created.isEmpty()) {
            log.warn("created the users {} (user -> group; each user's password is its name) on an empty database;"
                    + " change the passwords or start with vdresize.demo.create-user=false", created);
        }
    }

    private static boolean empty(IdentityService identity, String adminUser) {
        long users = identity.createUserQuery().count();
        if (users == 0) {
            return true;
        }
        return users == 1 && adminUser != null && identity.createUserQuery().userId(adminUser).count() == 1;
    }

    private static void createUser(IdentityService identity, String id, String firstName, String lastName, String group) {
        User user = identity.newUser(id);
        user.setFirstName(firstName);
        user.setLastName(lastName);
        user.setPassword(id);
        identity.saveUser(user);
        identity.createMembership(id, group);
    }
}
