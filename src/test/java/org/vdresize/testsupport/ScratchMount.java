package org.vdresize.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file system of its own, mounted for one test, for storage pools whose behaviour a test needs:
 * <ul>
 * <li>{@link #tmpfs(long)}: a small tmpfs, so a pool really runs out of space;</li>
 * <li>{@link #ramfs()}: a file system without {@code fallocate}, where a preallocated growth is slow
 * the way it is on NFSv3 or ext3: libvirt's preallocation falls back to glibc's emulation, which
 * writes a zero byte into every 4 KiB page; growing a preallocated raw volume by 512 MiB takes
 * seconds (1.5-3.5 s here) instead of ext4's 20 ms. In memory: no disk I/O, no writeback stalls.</li>
 * </ul>
 * Mounted at {@code /tmp/vdr-it-<pid>-<random>-mnt/mnt}; {@link #close()} unmounts and deletes it.
 * Mounts left behind by a test JVM that died are removed by {@link #removeLeftovers()} (called once
 * per JVM by the factories).
 */
public final class ScratchMount implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScratchMount.class);
    private static final Pattern OWNED = Pattern.compile("(/tmp/" + Pattern.quote(LibvirtFixture.PREFIX) + "(\\d+)-[^/]*-mnt)/mnt");
    private static final AtomicBoolean LEFTOVERS_CHECKED = new AtomicBoolean();

    private final Path base;
    private final Path dir;
    private boolean closed;

    private ScratchMount(Path base) {
        this.base = base;
        this.dir = base.resolve("mnt");
    }

    /** A tmpfs of {@code bytes} (rounded by the kernel to pages). */
    public static ScratchMount tmpfs(long bytes) {
        ScratchMount mount = prepare();
        try {
            Cmd.run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "vdr-it-tmpfs", mount.dir.toString());
        } catch (RuntimeException e) {
            mount.close();
            throw e;
        }
        return mount;
    }

    /**
     * A ramfs: memory only, no size limit (the test bounds what it writes), and no {@code fallocate},
     * so libvirt's preallocation falls back to glibc's emulation, which writes into every page.
     */
    public static ScratchMount ramfs() {
        ScratchMount mount = prepare();
        try {
            Cmd.run("mount", "-t", "ramfs", "vdr-it-ramfs", mount.dir.toString());
        } catch (RuntimeException e) {
            mount.close();
            throw e;
        }
        return mount;
    }

    public Path dir() {
        return dir;
    }

    /** Unmounts (lazily if busy, e.g. still held by a private mount namespace) and deletes everything. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmountAndDelete(base);
    }

    /** Unmounts and deletes the scratch mounts of test JVMs that no longer run. */
    public static void removeLeftovers() {
        List<String> mountPoints = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 1) {
                    mountPoints.add(fields[1]);
                }
            }
        } catch (IOException e) {
            log.warn("cannot read /proc/self/mounts: {}", e.toString());
            return;
        }
        for (String mountPoint : mountPoints) {
            Matcher m = OWNED.matcher(mountPoint);
            if (m.matches() && !alive(Long.parseLong(m.group(2)))) {
                log.info("removing leftover scratch mount {}", mountPoint);
                unmountAndDelete(Path.of(m.group(1)));
            }
        }
        // unmounted already, directories left behind
        try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
            dirs.filter(d -> OWNED.matcher(d.resolve("mnt").toString()).matches())
                    .filter(d -> {
                        Matcher m = OWNED.matcher(d.resolve("mnt").toString());
                        return m.matches() && !alive(Long.parseLong(m.group(2))) && !mountPoints.contains(d.resolve("mnt").toString());
                    })
                    .forEach(TestFiles::deleteRecursively);
        } catch (IOException e) {
            log.debug("cannot list /tmp: {}", e.toString());
        }
    }

    private static ScratchMount prepare() {
        if (LEFTOVERS_CHECKED.compareAndSet(false, true)) {
            removeLeftovers();
        }
        try {
            Path base = Files.createDirectory(Path.of("/tmp", LibvirtFixture.PREFIX + ProcessHandle.current().pid() + "-"
                    + UUID.randomUUID().toString().substring(0, 8) + "-mnt"));
            ScratchMount mount = new ScratchMount(base);
            Files.createDirectory(mount.dir);
            return mount;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unmountAndDelete(Path base) {
        Path dir = base.resolve("mnt");
        if (isMounted(dir)) {
            Cmd.Result umount = Cmd.tryRun("umount", dir.toString());
            if (umount.exitCode() != 0) {
                log.warn("umount {} failed ({}); detaching it lazily", dir, umount.output().strip());
                Cmd.tryRun("umount", "-l", dir.toString());
            }
        }
        if (isMounted(dir)) {
            log.warn("{} is still mounted; leaving {} in place", dir, base);
            return;
        }
        TestFiles.deleteRecursively(base);
    }

    private static boolean isMounted(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .anyMatch(line -> line.split(" ").length > 1 && line.split(" ")[1].equals(dir.toString()));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public String toString() {
        return "ScratchMount[" + dir + "]";
    }
}
