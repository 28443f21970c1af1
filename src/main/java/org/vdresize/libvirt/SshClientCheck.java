package org.vdresize.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For {@code qemu+ssh://}: libvirt runs the ssh program, whose configuration (ssh_config, ~/.ssh/config)
 * decides whether an unknown host key is accepted. Before each connect this asks ssh for the
 * settings it would use for that host ({@code ssh -G}) and refuses a StrictHostKeyChecking that
 * accepts a key nobody verified ({@code no}, {@code accept-new}).
 */
final class SshClientCheck {

    private static final Logger log = LoggerFactory.getLogger(SshClientCheck.class);
    private static final long TIMEOUT_S = 5;

    private SshClientCheck() {
    }

    static Optional<String> refusal(LibvirtUri uri) {
        if (uri.transport() != LibvirtUri.Transport.SSH || uri.host().isEmpty()) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>(List.of(uri.param("command").orElse("ssh"), "-G"));
        if (uri.port() > 0) {
            command.addAll(List.of("-p", String.valueOf(uri.port())));
        }
        uri.user().ifPresent(user -> command.addAll(List.of("-l", user)));
        command.add("--");
        command.add(uri.host().get());
        String value = strictHostKeyChecking(command);
        if (value == null) {
            return Optional.empty(); // ssh itself fails the same way when libvirt runs it, with its own words
        }
        return switch (value) {
            case "false", "no", "off" -> Optional.of(refused(uri, "no"));
            case "accept-new" -> Optional.of(refused(uri, "accept-new"));
            default -> Optional.empty(); // true/yes: only known keys; ask: with no_tty=1 (BatchMode) an unknown key fails
        };
    }

    private static String refused(LibvirtUri uri, String setting) {
        return "ssh is configured with StrictHostKeyChecking " + setting + " for " + uri.host().orElse("?")
                + ": it would accept a host key nobody verified; vdresize needs StrictHostKeyChecking yes or ask "
                + "(docs/hosts.md)";
    }

    private static String strictHostKeyChecking(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            // ssh -G only prints its settings (a few KB, less than a pipe holds): wait first, then read
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                log.debug("ssh -G exited with {}: {}", process.exitValue(), output.strip());
                return null;
            }
            for (String line : output.lines().toList()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("stricthostkeychecking ")) {
                    return line.substring(line.indexOf(' ') + 1).strip().toLowerCase(Locale.ROOT);
                }
            }
            return null;
        } catch (IOException e) {
            log.debug("cannot run ssh -G: {}", e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
