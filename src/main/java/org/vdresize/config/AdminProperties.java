package org.vdresize.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vdresize.admin.*} (or {@code VDRESIZE_ADMIN_USER}, {@code VDRESIZE_ADMIN_PASSWORD},
 * {@code VDRESIZE_ADMIN_PASSWORD_FILE}): the first administrator, created in camunda-admin on an
 * empty identity database only ({@link DemoUserPlugin}). User and password come together or not at
 * all; a start with only one of them fails, so a typo never leaves the database without the
 * intended administrator.
 *
 * @param user         the administrator's user id
 * @param password     its password; never logged, not even by {@link #toString()}
 * @param passwordFile where the random password of {@code admin} goes when neither is set; default
 *                     next to an H2 file database, else {@code data/initial-admin-password}
 */
@ConfigurationProperties("vdresize.admin")
public record AdminProperties(String user, String password, Path passwordFile) {

    public AdminProperties {
        user = blankToNull(user);
        password = password == null || password.isEmpty() ? null : password;
        if (user != null && password == null) {
            throw new IllegalArgumentException("vdresize.admin.user is set but vdresize.admin.password is not: "
                    + "set both (or neither: then admin gets a random password in a file)");
        }
        if (user == null && password != null) {
            throw new IllegalArgumentException("vdresize.admin.password is set but vdresize.admin.user is not: set both");
        }
    }

    /** Both user and password are given. */
    public boolean configured() {
        return user != null;
    }

    @Override
    public String toString() {
        return "AdminProperties[user=" + user + ", password=" + (password == null ? "unset" : "(hidden)")
                + ", passwordFile=" + passwordFile + "]";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
