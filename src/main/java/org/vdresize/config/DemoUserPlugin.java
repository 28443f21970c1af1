package org.vdresize.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * the Tasklist filter) and the first administrator, so that no user has a known password unless
 * someone asked for it (api-contract.md, "First administrator and demo users"):
 * <ul>
 * <li>{@code vdresize.admin.user} and {@code vdresize.admin.password} ({@link AdminProperties}):
 * that user, in {@code camunda-admin};</li>
 * <li>{@code vdresize.demo.create-user=true} (scripts/run.sh sets it): one demo user per role, each
 * with its name as password: {@code demo} in {@code camunda-admin}, {@code operator},
 * {@code approver} and {@code auditor};</li>
 * <li>neither: {@code admin} in {@code camunda-admin} with a random password, written once to an
 * owner-only file ({@code vdresize.admin.password-file}) whose path, never the password, is logged.</li>
 * </ul>
 *
 * <p>"Empty" means no user at all, or only the administrator that {@code camunda.bpm.admin-user.id}
 * names (Camunda's own plugin creates it, possibly before this one runs; then no other user is
 * created, the role groups still are). Nothing is set up on a database that has users, so a deleted
 * account does not come back and a changed password is not reset. That is also why the starter's
 * {@code camunda.bpm.admin-user} is not used: it re-creates its user at every start once it has
 * been deleted. Nodes sharing one database may start at once: whichever creates a user first wins,
 * the others find it there. A read-only identity service (LDAP) is left alone.
 * Runs while the engine is built, so all of it exists before the first HTTP request.
 */
@Component
public class DemoUserPlugin extends AbstractProcessEnginePlugin {

    static final String USER_ID = "demo";
    /** The administrator that gets a random password when no other is configured. */
    static final String INITIAL_ADMIN = "admin";
    static final String DEFAULT_PASSWORD_FILE_NAME = "initial-admin-password";
    private static final String ADMIN_USER_PROPERTY = "camunda.bpm.admin-user.id";
    private static final String H2_FILE_URL = "jdbc:h2:file:";
    private static final Logger log = LoggerFactory.getLogger(DemoUserPlugin.class);

    /** The demo users: id (also the password), first name, last name, group. */
    static final List<List<String>> DEMO_USERS = List.of(
            List.of(USER_ID, "Demo", "User", Roles.ADMINS),
            List.of("operator", "Olga", "Operator", Roles.OPERATORS),
            List.of("approver", "Arno", "Approver", Roles.APPROVERS),
            List.of("auditor", "Ada", "Auditor", Roles.AUDITORS));

    private final VdresizeProperties properties;
    private final AdminProperties admin;
    private final Environment environment;

    public DemoUserPlugin(VdresizeProperties properties, AdminProperties admin, Environment environment) {
        this.properties = properties;
        this.admin = admin;
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
        String camundaAdmin = environment.getProperty(ADMIN_USER_PROPERTY);
        if (identity.isReadOnly() || !empty(identity, camundaAdmin)) {
            if (admin.configured()) {
                log.info("vdresize.admin.user is set, but the identity database is not empty: no user created or changed");
            }
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
        if (camundaAdmin != null) {
            return;
        }
        if (admin.configured()) {
            createConfiguredAdmin(identity);
        }
        if (properties.demo().createUser()) {
            createDemoUsers(identity);
        }
        if (!admin.configured() && !properties.demo().createUser()) {
            createInitialAdmin(identity);
        }
    }

    private void createConfiguredAdmin(IdentityService identity) {
        try {
            createUser(identity, admin.user(), admin.password(), "Administrator", Roles.ADMINS);
            log.info("created the administrator {} (vdresize.admin.user) in {} on an empty identity database",
                    admin.user(), Roles.ADMINS);
        } catch (RuntimeException e) {
            if (identity.createUserQuery().userId(admin.user()).count() == 0) {
                throw new IllegalStateException("could not create the administrator " + admin.user()
                        + " named by vdresize.admin.user: " + e.getMessage(), e);
            }
            log.info("the administrator {} exists already (another node created it)", admin.user());
        }
    }

    private void createDemoUsers(IdentityService identity) {
        Map<String, String> created = new LinkedHashMap<>();
        try {
            for (List<String> user : DEMO_USERS) {
                if (identity.createUserQuery().userId(user.get(0)).count() == 0) {
                    createUser(identity, user.get(0), user.get(0), user.get(1), user.get(2), user.get(3));
                    created.put(user.get(0), user.get(3));
                }
            }
        } catch (RuntimeException e) {
            log.warn("could not create the demo users: {}", e.toString());
        }
        if (!created.isEmpty()) {
            log.warn("vdresize.demo.create-user=true: created the demo users {} (user -> group; each user's password"
                    + " is its name) on an empty database; never use them outside a demo", created);
        }
    }

    /**
     * {@code admin} with a random password. The file is written before the user exists, so the
     * password is never lost; when the user cannot be created (another node was first), the file
     * goes again, as its password opens nothing.
     */
    private void createInitialAdmin(IdentityService identity) {
        Path file = passwordFile().toAbsolutePath();
        String password = InitialPasswordFile.randomPassword();
        try {
            InitialPasswordFile.create(file, password);
        } catch (FileAlreadyExistsException e) {
            log.warn("{} exists, so no administrator was created: a node sharing this database may just have created"
                    + " one; otherwise the file is left from an earlier database: delete it and restart, or start with"
                    + " vdresize.admin.user and vdresize.admin.password", file);
            return;
        } catch (IOException e) {
            throw new IllegalStateException("could not write the initial administrator's password to " + file + ": " + e
                    + "; set vdresize.admin.password-file to a writable place, or start with vdresize.admin.user and"
                    + " vdresize.admin.password", e);
        }
        try {
            createUser(identity, INITIAL_ADMIN, password, "Administrator", Roles.ADMINS);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            if (identity.createUserQuery().userId(INITIAL_ADMIN).count() == 0) {
                throw new IllegalStateException("could not create the administrator " + INITIAL_ADMIN + ": " + e.getMessage(), e);
            }
            log.info("the administrator {} exists already (another node created it and wrote its password file)",
                    INITIAL_ADMIN);
            return;
        }
        log.warn("created the administrator {} in {} with a random password, written to {} (readable by this account"
                + " only): log in, change the password, then delete the file", INITIAL_ADMIN, Roles.ADMINS, file);
    }

    /** The configured file, else next to an H2 file database, else data/ under the working directory. */
    Path passwordFile() {
        if (admin.passwordFile() != null) {
            return admin.passwordFile();
        }
        String url = environment.getProperty("spring.datasource.url", "");
        if (url.startsWith(H2_FILE_URL)) {
            String database = url.substring(H2_FILE_URL.length()).split(";", 2)[0];
            if (database.startsWith("~")) {
                database = System.getProperty("user.home") + database.substring(1);
            }
            Path parent = Path.of(database).toAbsolutePath().normalize().getParent();
            if (parent != null) {
                return parent.resolve(DEFAULT_PASSWORD_FILE_NAME);
            }
        }
        return Path.of("data", DEFAULT_PASSWORD_FILE_NAME);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete {}, whose password opens nothing: {}", file, e.toString());
        }
    }

    private static boolean empty(IdentityService identity, String adminUser) {
        long users = identity.createUserQuery().count();
        if (users == 0) {
            return true;
        }
        return users == 1 && adminUser != null && identity.createUserQuery().userId(adminUser).count() == 1;
    }

    private static void createUser(IdentityService identity, String id, String password, String firstName,
                                   String lastName, String group) {
        User user = identity.newUser(id);
        user.setFirstName(firstName);
        user.setLastName(lastName);
        user.setPassword(password);
        identity.saveUser(user);
        identity.createMembership(id, group);
    }

    private static void createUser(IdentityService identity, String id, String password, String firstName, String group) {
        createUser(identity, id, password, firstName, null, group);
    }
}
