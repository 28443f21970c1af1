package org.vdresize.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File chores the test fixtures share. */
public final class TestFiles {

    private static final Logger log = LoggerFactory.getLogger(TestFiles.class);

    private TestFiles() {
    }

    /** Deletes a directory tree, deepest first; what cannot be deleted is logged, not thrown. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    /**
     * Copies the {@code *.log} files of an IT's work folder to target/failsafe-reports, named after
     * the test, before the folder is deleted; only diagnostics, so nothing is thrown.
     */
    public static void keepLogs(Path work, String testName) {
        try (Stream<Path> logs = Files.list(work)) {
            Path reports = Files.createDirectories(Path.of("target/failsafe-reports"));
            for (Path file : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(file, reports.resolve(testName + "-" + file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.debug("no logs kept from {}: {}", work, e.toString());
        }
    }
}
