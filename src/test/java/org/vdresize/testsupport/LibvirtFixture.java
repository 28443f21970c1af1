package org.vdresize.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real libvirt objects for integration tests on {@code qemu:///system}: one directory pool in a
 * temp dir, volumes in it, and small domains ({@code type='qemu'}, no OS, 32 MiB) using them; plus
 * oracles that ask virsh, qemu-img and the file system directly, independent of the code under test.
 *
 * <p>Every object is named {@code vdr-it-<pid>-<random>-...}. {@link #create()} first removes the
 * objects left behind by test JVMs that no longer run (a killed run leaves definitions behind),
 * without touching those of a run still going on in parallel. {@link #close()} removes everything
 * this fixture created.
 *
 * <pre>
 * try (LibvirtFixture lv = LibvirtFixture.create()) {
 *     Path disk = lv.createQcow2("d1.qcow2", 64 * LibvirtFixture.MIB);
 *     String vm = lv.startVm("vm1", LibvirtFixture.Disk.virtio(disk, "vdb"));
 *     ... lv.domblkinfoCapacity(vm, "vdb") ...
 * }
 * </pre>
 */
public final class LibvirtFixture implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LibvirtFixture.class);

    public static final String URI = "qemu:///system";
    public static final String PREFIX = "vdr-it-";
    public static final long MIB = 1024L * 1024;
    private static final Pattern OWNED_NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");
    private static final AtomicBoolean LEFTOVERS_CHECKED = new AtomicBoolean();
    private static final long COMMAND_TIMEOUT_S = 120;

    /** A disk of a domain to define. Build with the factories, refine with the withers. */
    public record Disk(Path path, String target, String bus, String device, String format, boolean shareable,
                       boolean readOnly, String serial, boolean fixedSize) {

        /** A virtio-blk disk; the format (qcow2/raw) is read from the image. */
        public static Disk virtio(Path path, String target) {
            return new Disk(path, target, "virtio", "disk", null, false, false, null, false);
        }

        /** A disk on a virtio-scsi controller (target sdX). */
        public static Disk scsi(Path path, String target) {
            return new Disk(path, target, "scsi", "disk", null, false, false, null, false);
        }

        /** An IDE CD-ROM (read-only); {@code path} may be null for an empty tray. */
        public static Disk cdrom(Path path, String target) {
            return new Disk(path, target, "ide", "cdrom", "raw", false, true, null, false);
        }

        public Disk asShareable() {
            return new Disk(path, target, bus, device, format, true, readOnly, serial, fixedSize);
        }

        public Disk asReadOnly() {
            return new Disk(path, target, bus, device, format, shareable, true, serial, fixedSize);
        }

        public Disk withSerial(String serial) {
            return new Disk(path, target, bus, device, format, shareable, readOnly, serial, fixedSize);
        }

        /**
         * A raw image seen through a storage slice of its whole current size ({@code <slices>}):
         * QEMU then refuses every block resize ("Cannot resize fixed-size raw disks").
         */
        public Disk asFixedSize() {
            return new Disk(path, target, bus, device, format, shareable, readOnly, serial, true);
        }
    }

    private final String uri;
    private final String prefix;
    private final String poolName;
    private final Path poolDir;
    /** the pool's directory was made by this fixture (deleted on close), not given to it */
    private final boolean ownsPoolDir;
    private final List<String> domains = new ArrayList<>();
    private boolean closed;

    private LibvirtFixture(String uri, String prefix, Path poolDir, boolean ownsPoolDir) {
        this.uri = uri;
        this.prefix = prefix;
        this.poolName = prefix + "pool";
        this.poolDir = poolDir;
        this.ownsPoolDir = ownsPoolDir;
    }

    /** Removes leftovers of dead runs (once per JVM), then creates and starts this fixture's dir pool. */
    public static LibvirtFixture create() {
        return create(URI, null);
    }

    /**
     * A fixture on another libvirt connection (e.g. a second, private libvirtd) and/or with its dir
     * pool in a given, existing, empty directory (e.g. a small tmpfs or a slow file system). A given
     * directory is left in place on close (its owner removes it); only this fixture's objects go.
     */
    public static LibvirtFixture create(String uri, Path poolDir) {
        if (LEFTOVERS_CHECKED.compareAndSet(false, true)) {
            removeLeftovers();
        }
        String prefix = PREFIX + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8) + "-";
        try {
            Path dir = poolDir != null ? poolDir : Files.createTempDirectory(prefix);
            LibvirtFixture fixture = new LibvirtFixture(uri, prefix, dir, poolDir == null);
            fixture.run("pool-define-as", fixture.poolName, "dir", "--target", dir.toString());
            fixture.run("pool-start", fixture.poolName);
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Destroys and undefines every domain and pool named {@code vdr-it-<pid>-...} whose pid is not a
     * running process, and deletes such pools' directories and such temp files.
     */
    public static void removeLeftovers() {
        for (String name : lines(virsh("list", "--all", "--name"))) {
            if (isLeftover(name)) {
                log.info("removing leftover domain {}", name);
                virshQuietly("destroy", name);
                virshQuietly("undefine", name);
            }
        }
        for (String name : lines(virsh("pool-list", "--all", "--name"))) {
            if (isLeftover(name)) {
                log.info("removing leftover pool {}", name);
                String target = targetPath(virshQuietly("pool-dumpxml", name));
                virshQuietly("pool-destroy", name);
                virshQuietly("pool-undefine", name);
                if (target != null && Path.of(target).getFileName().toString().startsWith(PREFIX)) {
                    deleteRecursively(Path.of(target));
                }
            }
        }
        removeLeftoverFiles();
    }

    /** Temp dirs and files of dead runs ({@code /tmp/vdr-it-<pid>-...}) that had no pool yet or any more. */
    private static void removeLeftoverFiles() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> entries = Files.list(tmp)) {
            entries.filter(p -> isLeftover(p.getFileName().toString())).forEach(LibvirtFixture::deleteRecursively);
        } catch (IOException e) {
            log.debug("cannot list {}: {}", tmp, e.toString());
        }
    }

    private static boolean isLeftover(String name) {
        Matcher m = OWNED_NAME.matcher(name);
        return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true);
    }

    public String uri() {
        return uri;
    }

    public String poolName() {
        return poolName;
    }

    public Path poolDir() {
        return poolDir;
    }

    /** This fixture's unique name for a label: {@code vdr-it-<pid>-<random>-<label>}. */
    public String name(String label) {
        return prefix + label;
    }

    // ---- volumes -------------------------------------------------------------------------------

    public Path createQcow2(String volume, long bytes) {
        run("vol-create-as", poolName, volume, bytes + "B", "--format", "qcow2");
        return poolDir.resolve(volume);
    }

    /** A raw file with no blocks allocated. */
    public Path createRawSparse(String volume, long bytes) {
        run("vol-create-as", poolName, volume, bytes + "B", "--format", "raw", "--allocation", "0");
        return poolDir.resolve(volume);
    }

    /** A raw file whose every block is allocated (allocation == capacity). */
    public Path createRawPreallocated(String volume, long bytes) {
        run("vol-create-as", poolName, volume, bytes + "B", "--format", "raw", "--allocation", bytes + "B");
        return poolDir.resolve(volume);
    }

    /** A qcow2 overlay whose backing store is {@code backing} (a qcow2 of this pool). */
    public Path createQcow2Overlay(String volume, Path backing, long bytes) {
        run("vol-create-as", poolName, volume, bytes + "B", "--format", "qcow2",
                "--backing-vol", backing.toString(), "--backing-vol-format", qemuImgFormat(backing));
        return poolDir.resolve(volume);
    }

    /** Makes libvirt re-read the pool (after files were changed behind its back). */
    public void refreshPool() {
        run("pool-refresh", poolName);
    }

    // ---- domains -------------------------------------------------------------------------------

    /** Defines (does not start) a domain named {@link #name(String) name(label)}; returns that name. */
    public String defineVm(String label, List<Disk> disks) {
        String name = name(label);
        define(name, domainXml(name, disks));
        return name;
    }

    /**
     * Defines and starts the test guest of {@link GuestImage} (Linux with qemu-guest-agent) with these disks,
     * named {@link #name(String) name(label)}; returns that name once its agent answers. GuestImage asks
     * the agent through its own URI: a fixture of another daemon has no guest.
     */
    public String startGuest(String label, List<GuestImage.Disk> disks) {
        if (!uri.equals(GuestImage.libvirtUri())) {
            throw new IllegalStateException("the test guest runs on " + GuestImage.libvirtUri() + ", not " + uri);
        }
        String name = name(label);
        define(name, GuestImage.get().domainXml(name, disks));
        start(name);
        Duration boot = GuestImage.waitForAgent(name, Duration.ofMinutes(3));
        log.info("guest {} agent answered {} ms after start", name, boot.toMillis());
        return name;
    }

    private void define(String name, String domainXml) {
        Path xml = poolDir.resolveSibling(name + ".xml");
        try {
            Files.writeString(xml, domainXml);
            run("define", xml.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(xml);
            } catch (IOException e) {
                log.debug("cannot delete {}: {}", xml, e.toString());
            }
        }
        domains.add(name);
    }

    /** A domain defined elsewhere (e.g. a guest OS domain) that this fixture removes on close. */
    public void adopt(String domain) {
        domains.add(domain);
    }

    /** Defines and starts a domain; returns its name. */
    public String startVm(String label, Disk... disks) {
        String name = defineVm(label, List.of(disks));
        start(name);
        return name;
    }

    public void start(String vm) {
        run("start", vm);
    }

    public void startPaused(String vm) {
        run("start", "--paused", vm);
    }

    public void suspend(String vm) {
        run("suspend", vm);
    }

    public void resume(String vm) {
        run("resume", vm);
    }

    public void destroy(String vm) {
        run("destroy", vm);
    }

    public String uuid(String vm) {
        return run("domuuid", vm).strip();
    }

    /** virsh's state with reason, e.g. {@code running (booted)}, {@code paused (user)}. */
    public String domstate(String vm) {
        return run("domstate", "--reason", vm).strip();
    }

    // ---- oracles -------------------------------------------------------------------------------

    /** The capacity QEMU reports for a disk of a domain ({@code virsh domblkinfo}). */
    public long domblkinfoCapacity(String vm, String target) {
        return domblkinfo(vm, target, "Capacity");
    }

    public long domblkinfoAllocation(String vm, String target) {
        return domblkinfo(vm, target, "Allocation");
    }

    /** {@code qemu-img info}'s virtual size (works while QEMU holds the image). */
    public long qemuImgVirtualSize(Path image) {
        return Long.parseLong(jsonField(qemuImgInfo(image), "virtual-size"));
    }

    public String qemuImgFormat(Path image) {
        return jsonField(qemuImgInfo(image), "format");
    }

    /** {@code qemu-img check}: true when the image has no errors. */
    public boolean qemuImgCheck(Path image) {
        return exec(List.of("qemu-img", "check", "-U", image.toString()), true).exitCode() == 0;
    }

    /** Blocks the file really occupies: st_blocks * 512, from {@code stat}. */
    public long allocatedBytes(Path file) {
        String[] parts = exec(List.of("stat", "-c", "%b %B", file.toString()), false).out().strip().split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    /** The file's length (st_size). */
    public long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes bytes at a guest-visible offset of the image: straight into a raw file, through
     * {@code qemu-io} for qcow2 (so the qcow2 structure stays valid). Not while QEMU holds a qcow2.
     */
    public void writeSentinel(Path image, long offset, byte[] bytes) {
        if ("raw".equals(qemuImgFormat(image))) {
            try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long position = offset;
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
                channel.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        Path pattern = tempFile("sentinel");
        try {
            Files.write(pattern, bytes);
            exec(List.of("qemu-io", "-f", qemuImgFormat(image), "-c",
                    "write -q -s " + pattern + " " + offset + " " + bytes.length, image.toString()), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(pattern);
        }
    }

    /** Guest-visible bytes of the image (raw: the file; qcow2: through {@code qemu-img convert}). */
    public byte[] readBytes(Path image, long offset, int length) {
        String format = qemuImgFormat(image);
        if ("raw".equals(format)) {
            return readRange(image, offset, length);
        }
        // qcow2: the guest-visible bytes of a (sparse, small) raw copy made by qemu-img convert
        Path out = tempFile("convert");
        try {
            exec(List.of("qemu-img", "convert", "-U", "-f", format, "-O", "raw", image.toString(), out.toString()), false);
            return readRange(out, offset, length);
        } finally {
            deleteQuietly(out);
        }
    }

    /** Bytes of a raw file; beyond its end zeros, as a guest would read. */
    private static byte[] readRange(Path file, long offset, int length) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            long position = offset;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    break;
                }
                position += n;
            }
            return buffer.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 (hex) of a guest-visible byte range of the image. */
    public String sha256(Path image, long offset, int length) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(readBytes(image, offset, length)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs virsh on this fixture's connection; throws with virsh's message when it fails. Returns stdout. */
    public String run(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
        command.addAll(List.of(args));
        return exec(command, false).out();
    }

    /** Like {@link #run}, but a failure is only logged (cleanup). */
    public String runQuietly(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
        command.addAll(List.of(args));
        return exec(command, true).out();
    }

    /** Runs virsh on {@link #URI}; throws with virsh's message when it fails. Returns stdout. */
    public static String virsh(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        command.addAll(List.of(args));
        return exec(command, false).out();
    }

    // ---- cleanup -------------------------------------------------------------------------------

    /** Destroys and undefines this fixture's domains, removes its pool and deletes its directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String vm : domains) {
            runQuietly("destroy", vm);
            runQuietly("undefine", vm);
        }
        runQuietly("pool-destroy", poolName);
        runQuietly("pool-undefine", poolName);
        if (ownsPoolDir) {
            deleteRecursively(poolDir);
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private String domainXml(String name, List<Disk> disks) {
        StringBuilder xml = new StringBuilder()
                .append("<domain type='qemu'><name>").append(name).append("</name>")
                .append("<memory unit='MiB'>32</memory><vcpu>1</vcpu>")
                .append("<os><type arch='x86_64' machine='pc'>hvm</type></os>")
                .append("<features><acpi/></features>") // PCI hot plug needs ACPI
                .append("<on_reboot>destroy</on_reboot><devices>");
        if (disks.stream().anyMatch(d -> "scsi".equals(d.bus()))) {
            xml.append("<controller type='scsi' index='0' model='virtio-scsi'/>");
        }
        for (Disk disk : disks) {
            String format = disk.format() != null ? disk.format() : qemuImgFormat(disk.path());
            xml.append("<disk type='file' device='").append(disk.device()).append("'>")
                    .append("<driver name='qemu' type='").append(format).append("'/>");
            if (disk.path() != null && disk.fixedSize()) {
                xml.append("<source file='").append(disk.path()).append("'><slices><slice type='storage' offset='0' size='")
                        .append(fileSize(disk.path())).append("'/></slices></source>");
            } else if (disk.path() != null) {
                xml.append("<source file='").append(disk.path()).append("'/>");
            }
            xml.append("<target dev='").append(disk.target()).append("' bus='").append(disk.bus()).append("'/>");
            if (disk.readOnly()) {
                xml.append("<readonly/>");
            }
            if (disk.shareable()) {
                xml.append("<shareable/>");
            }
            if (disk.serial() != null) {
                xml.append("<serial>").append(disk.serial()).append("</serial>");
            }
            xml.append("</disk>");
        }
        return xml.append("</devices></domain>").toString();
    }

    private long domblkinfo(String vm, String target, String field) {
        for (String line : lines(run("domblkinfo", vm, target))) {
            String[] parts = line.trim().split(":\\s*");
            if (parts.length == 2 && parts[0].equals(field)) {
                return Long.parseLong(parts[1].trim());
            }
        }
        throw new IllegalStateException("virsh domblkinfo " + vm + " " + target + " has no " + field);
    }

    private static String qemuImgInfo(Path image) {
        return exec(List.of("qemu-img", "info", "-U", "--output=json", image.toString()), false).out();
    }

    private static String jsonField(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"?([^\",}\\s]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return m.group(1);
    }

    private static String targetPath(String poolXml) {
        Matcher m = Pattern.compile("<target>\\s*<path>([^<]+)</path>").matcher(poolXml);
        return m.find() ? m.group(1) : null;
    }

    private static String virshQuietly(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        command.addAll(List.of(args));
        return exec(command, true).out();
    }

    private static List<String> lines(String out) {
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private record Result(int exitCode, String out) {
    }

    private static Result exec(List<String> command, boolean mayFail) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            process.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(process.getErrorStream(), err));
            errReader.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            errReader.join();
            int code = process.exitValue();
            if (code != 0 && !mayFail) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + code + "): "
                        + err.toString(StandardCharsets.UTF_8).strip());
            }
            return new Result(code, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            log.debug("reading stderr: {}", e.toString());
        }
    }

    private Path tempFile(String label) {
        try {
            return Files.createTempFile(poolDir.getParent(), prefix + label, ".tmp");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a fault test makes images immutable (chattr +i); a run killed before it undid that leaves one behind
            if (Files.isRegularFile(path) && exec(List.of("chattr", "-i", path.toString()), true).exitCode() == 0) {
                try {
                    Files.deleteIfExists(path);
                    return;
                } catch (IOException again) {
                    e = again;
                }
            }
            log.debug("cannot delete {}: {}", path, e.toString());
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(LibvirtFixture::deleteQuietly);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "LibvirtFixture[" + poolName + " at " + poolDir + "]";
    }
}
