package org.vdresize.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The random password of the first administrator and the file it is handed over in: created with
 * owner-only permissions (0600) from the first byte, complete when it appears under its name (a
 * hard link to a finished temporary file), and never overwritten.
 */
final class InitialPasswordFile {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private InitialPasswordFile() {
    }

    /**
     * 24 characters of base64url, 144 random bits. Drawn again until it has a lower and an upper case
     * letter, a digit and a "-" or "_", so it also passes Camunda's password policy when that is on.
     */
    static String randomPassword() {
        byte[] bytes = new byte[18];
        while (true) {
            RANDOM.nextBytes(bytes);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (password.chars().anyMatch(Character::isLowerCase) && password.chars().anyMatch(Character::isUpperCase)
                    && password.chars().anyMatch(Character::isDigit)
                    && (password.indexOf('-') >= 0 || password.indexOf('_') >= 0)) {
                return password;
            }
        }
    }

    /**
     * Writes the password to {@code file}, creating missing parent directories owner-only (0700).
     *
     * @throws FileAlreadyExistsException when the file exists: it is left as it is
     * @throws IOException                when it cannot be written, or not with owner-only permissions
     */
    static void create(Path file, String password) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        Path temp;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(dir + " is not a directory", e);  // not "the password file exists"
        } catch (UnsupportedOperationException e) {
            throw new IOException(dir + " does not support POSIX permissions", e);
        }
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", ownerOnly);
        } catch (UnsupportedOperationException e) {
            throw new IOException(dir + " does not support POSIX permissions, so the password file could not be made"
                    + " readable by its owner only", e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap((password + "\n").getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            try {
                Files.createLink(target, temp);  // link(2): atomic, and fails when the name exists
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                // no hard links here: exclusive creation, still never overwriting
                writeExclusively(target, password, ownerOnly);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeExclusively(Path target, String password, FileAttribute<Set<PosixFilePermission>> ownerOnly)
            throws IOException {
        try (FileChannel channel = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnly)) {
            channel.write(ByteBuffer.wrap((password + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
    }
}
