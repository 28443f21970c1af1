package org.vdresize.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host command (mount, chattr, ...) for a test; output is collected through a temp file. */
public final class Cmd {

    public record Result(int exitCode, String output) {
    }

    private static final long TIMEOUT_S = 120;

    private Cmd() {
    }

    /** Runs the command; throws with its output when it exits non-zero. Returns stdout and stderr. */
    public static String run(String... command) {
        Result result = tryRun(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): "
                    + result.output().strip());
        }
        return result.output();
    }

    /**
     * Runs the command and returns its exit code and output. The output goes through a file, not a
     * pipe: a command that leaves a daemon behind (libvirtd -d) must not keep the reader waiting.
     */
    public static Result tryRun(String... command) {
        Path out = null;
        try {
            out = Files.createTempFile("vdr-it-cmd", ".out");
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }
}
