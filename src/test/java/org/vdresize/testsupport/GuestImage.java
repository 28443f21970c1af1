package org.vdresize.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The tiny test guest of {@code scripts/build-guest-image.sh} (a Debian cloud kernel and an initramfs with
 * busybox, qemu-guest-agent, e2fsprogs, xfsprogs, sfdisk/partx/growpart) for integration tests that need a real
 * guest OS and guest agent under QEMU. See docs/guest-agent.md for what the agent answers in this guest.
 *
 * <ul>
 *   <li>{@link #get()} builds the image once per test JVM (the script itself is cached: a few milliseconds when
 *       nothing changed) and returns the kernel and initrd paths;</li>
 *   <li>{@link #domainXml} writes the domain XML (TCG, 128 MiB, direct kernel boot, guest agent channel, the given
 *       disks; the same as {@code scripts/guest-domain.xml.sh});</li>
 *   <li>{@link #waitForAgent} polls {@code guest-ping} until the agent answers.</li>
 * </ul>
 *
 * Tests may shell out to {@code virsh} (through {@link #virsh}); production code never does. A boot costs a few
 * seconds under TCG (more on a loaded machine): boot one guest per test class and reuse it; disks can be
 * hot-plugged into a running guest ({@code virsh attach-disk --live}).
 *
 * <p>Settings (system properties): {@code vdr.guestImageDir} (default {@code <repo>/data/guest-image}),
 * {@code vdr.libvirtUri} (default {@code qemu:///system}).
 */
public final class GuestImage {

    /** The name of the virtio-serial port the guest agent listens on. */
    public static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "guest-image-pipe");
        t.setDaemon(true);
        return t;
    });
    private static GuestImage instance;

    private final Path repoRoot;
    private final Path kernel;
    private final Path initrd;

    /** A disk of a test guest: {@code bus} is virtio, scsi or sata; {@code serial} may be null. */
    public record Disk(Path path, String format, String target, String bus, String serial) {
        public Disk {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(bus, "bus");
            if (!List.of("virtio", "scsi", "sata").contains(bus)) {
                throw new IllegalArgumentException("unsupported bus " + bus + " (virtio, scsi, sata)");
            }
        }
    }

    /** The outcome of a {@code guest-exec}: exit code and the captured output, decoded. */
    public record ExecResult(int exitCode, String stdout, String stderr) {}

    private GuestImage(Path repoRoot, Path kernel, Path initrd) {
        this.repoRoot = repoRoot;
        this.kernel = kernel;
        this.initrd = initrd;
    }

    /** Builds the image (first call in this JVM only) and returns it. */
    public static synchronized GuestImage get() {
        if (instance == null) {
            Path root = findRepoRoot();
            String dirProp = System.getProperty("vdr.guestImageDir");
            Path out = dirProp != null ? Path.of(dirProp).toAbsolutePath() : root.resolve("data/guest-image");
            Path script = root.resolve("scripts/build-guest-image.sh");
            Result r = run(Duration.ofMinutes(10), "bash", script.toString(), out.toString());
            if (r.exitCode != 0) {
                throw new IllegalStateException("scripts/build-guest-image.sh failed (exit " + r.exitCode + "):\n"
                        + r.stdout + r.stderr);
            }
            Path kernel = out.resolve("vmlinuz");
            Path initrd = out.resolve("initrd.img");
            if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initrd)) {
                throw new IllegalStateException("the guest image build left no " + kernel + " / " + initrd);
            }
            instance = new GuestImage(root, kernel, initrd);
        }
        return instance;
    }

    public Path kernel() {
        return kernel;
    }

    public Path initrd() {
        return initrd;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** Domain XML for a guest with these disks and its serial console on a pty. */
    public String domainXml(String name, List<Disk> disks) {
        return domainXml(name, disks, null);
    }

    /**
     * Domain XML for a guest with these disks; {@code consoleLog}, when not null, receives the serial console
     * (kernel messages, "vdr-guest: rcS done", "qemu-ga-run: starting qemu-ga"), which explains a guest that
     * never answers.
     */
    public String domainXml(String name, List<Disk> disks, Path consoleLog) {
        StringBuilder d = new StringBuilder();
        boolean scsi = false;
        for (Disk disk : disks) {
            scsi |= disk.bus().equals("scsi");
            d.append("    <disk type='file' device='disk'>\n")
                    .append("      <driver name='qemu' type='").append(esc(disk.format())).append("'/>\n")
                    .append("      <source file='").append(esc(disk.path().toAbsolutePath().toString())).append("'/>\n")
                    .append("      <target dev='").append(esc(disk.target())).append("' bus='").append(disk.bus()).append("'/>\n");
            if (disk.serial() != null) {
                d.append("      <serial>").append(esc(disk.serial())).append("</serial>\n");
            }
            d.append("    </disk>\n");
        }
        if (scsi) {
            d.append("    <controller type='scsi' index='0' model='virtio-scsi'/>\n");
        }
        String log = consoleLog == null ? "" : "<log file='" + esc(consoleLog.toAbsolutePath().toString()) + "' append='off'/>";
        return "<domain type='qemu'>\n"
                + "  <name>" + esc(name) + "</name>\n"
                + "  <memory unit='MiB'>128</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os>\n"
                + "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                + "    <kernel>" + esc(kernel.toString()) + "</kernel>\n"
                + "    <initrd>" + esc(initrd.toString()) + "</initrd>\n"
                + "    <cmdline>console=ttyS0 panic=-1</cmdline>\n"
                + "  </os>\n"
                + "  <features><acpi/><apic/></features>\n"
                + "  <on_poweroff>destroy</on_poweroff>\n"
                + "  <on_reboot>destroy</on_reboot>\n"
                + "  <on_crash>destroy</on_crash>\n"
                + "  <devices>\n"
                + d
                + "    <controller type='usb' model='none'/>\n"
                + "    <controller type='virtio-serial' index='0'/>\n"
                + "    <channel type='unix'>\n"
                + "      <target type='virtio' name='" + AGENT_CHANNEL + "'/>\n"
                + "    </channel>\n"
                + "    <serial type='pty'>" + log + "<target port='0'/></serial>\n"
                + "    <console type='pty'><target type='serial' port='0'/></console>\n"
                + "    <memballoon model='none'/>\n"
                + "    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n"
                + "  </devices>\n"
                + "</domain>\n";
    }

    /**
     * Waits until the guest agent of a started domain answers {@code guest-ping}; fails at once when the domain
     * stops running (a crashed guest is destroyed, see {@code on_reboot}). Returns how long it took.
     */
    public static Duration waitForAgent(String domain, Duration timeout) {
        return waitForAgent(domain, timeout, null);
    }

    /** {@link #waitForAgent(String, Duration)} that adds the end of the console log to its failure. */
    public static Duration waitForAgent(String domain, Duration timeout, Path consoleLog) {
        try {
            return waitForAgentOnly(domain, timeout);
        } catch (IllegalStateException e) {
            if (consoleLog == null) {
                throw e;
            }
            throw new IllegalStateException(e.getMessage() + "\n--- end of " + consoleLog + " ---\n" + tail(consoleLog, 25), e);
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    private static Duration waitForAgentOnly(String domain, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Result r = run(Duration.ofSeconds(30), virshArgs("qemu-agent-command", domain,
                    "{\"execute\":\"guest-ping\"}", "--timeout", "2"));
            if (r.exitCode == 0) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            last = r.stderr.strip();
            Result state = run(Duration.ofSeconds(30), virshArgs("domstate", domain));
            if (state.exitCode != 0 || !state.stdout.strip().startsWith("running")) {
                throw new IllegalStateException("domain " + domain + " is not running (" + state.stdout.strip()
                        + state.stderr.strip() + ") while waiting for its guest agent; last answer: " + last);
            }
            sleep(200);
        }
        throw new IllegalStateException("the guest agent of " + domain + " did not answer within " + timeout
                + "; last answer: " + last);
    }

    /** Runs one guest agent command and returns its parsed answer (the whole object, with "return"). */
    public static JsonNode agentCommand(String domain, String json) {
        return parse(virsh("qemu-agent-command", domain, json, "--timeout", "30"));
    }

    /** Runs one guest agent command built from a JSON object. */
    public static JsonNode agentCommand(String domain, ObjectNode command) {
        return agentCommand(domain, command.toString());
    }

    /** Reads a (small) guest file, e.g. a sysfs attribute, with guest-file-open/read/close; no shell, no exec. */
    public static byte[] readGuestFile(String domain, String path) {
        long handle = agentCommand(domain, command("guest-file-open", a -> a.put("path", path).put("mode", "r")))
                .get("return").asLong();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                JsonNode r = agentCommand(domain, command("guest-file-read",
                        a -> a.put("handle", handle).put("count", 65536))).get("return");
                out.writeBytes(Base64.getDecoder().decode(r.path("buf-b64").asText("")));
                if (r.path("eof").asBoolean(true) || r.path("count").asLong() == 0) {
                    return out.toByteArray();
                }
            }
        } finally {
            agentCommand(domain, command("guest-file-close", a -> a.put("handle", handle)));
        }
    }

    /** Reads a guest text file and strips surrounding whitespace. */
    public static String readGuestText(String domain, String path) {
        return new String(readGuestFile(domain, path), StandardCharsets.UTF_8).strip();
    }

    /**
     * Runs a program in the guest with an argument vector (guest-exec, capture-output) and waits for it; the
     * program is looked up in the guest's PATH. {@code stdin} may be null.
     */
    public static ExecResult guestExec(String domain, Duration timeout, String stdin, String program, String... args) {
        ObjectNode exec = command("guest-exec", a -> {
            a.put("path", program);
            Arrays.stream(args).forEach(a.putArray("arg")::add);
            if (stdin != null) {
                a.put("input-data", Base64.getEncoder().encodeToString(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            a.put("capture-output", true);
        });
        long pid = agentCommand(domain, exec).get("return").get("pid").asLong();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode r = agentCommand(domain, command("guest-exec-status", a -> a.put("pid", pid))).get("return");
            if (r.path("exited").asBoolean()) {
                return new ExecResult(r.path("exitcode").asInt(r.has("signal") ? 128 + r.path("signal").asInt() : -1),
                        decode(r.path("out-data").asText("")), decode(r.path("err-data").asText("")));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("guest-exec " + program + " " + String.join(" ", args)
                        + " in " + domain + " still runs after " + timeout);
            }
            sleep(50);
        }
    }

    /** {@link #guestExec} with two minutes to run, for a program that must succeed; returns its stdout. */
    public static String guestRun(String domain, String stdin, String program, String... args) {
        ExecResult r = guestExec(domain, Duration.ofMinutes(2), stdin, program, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(program + " " + String.join(" ", args) + " in " + domain + " exited "
                    + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /**
     * The guest's block device name ("vda", "sdb") of the disk with this {@code <serial>}: the agent reports no
     * serials in this guest (no udev), so this lists {@code guest-get-disks} and reads
     * {@code /sys/block/<name>/serial} (virtio-blk) or {@code /sys/block/<name>/device/vpd_pg80} (SCSI: a 4-byte
     * header, then the serial). Returns null when no disk has it.
     */
    public static String guestDiskBySerial(String domain, String serial) {
        JsonNode disks = agentCommand(domain, "{\"execute\":\"guest-get-disks\"}").get("return");
        for (JsonNode disk : disks) {
            if (disk.path("partition").asBoolean()) {
                continue;
            }
            String name = disk.path("name").asText().replaceFirst("^/dev/", "");
            String busType = disk.path("address").path("bus-type").asText();
            String found = null;
            try {
                if (busType.equals("virtio")) {
                    found = readGuestText(domain, "/sys/block/" + name + "/serial");
                } else if (busType.equals("scsi")) {
                    byte[] page = readGuestFile(domain, "/sys/block/" + name + "/device/vpd_pg80");
                    found = page.length > 4 ? new String(page, 4, page.length - 4, StandardCharsets.UTF_8).strip() : "";
                }
            } catch (IllegalStateException e) {
                continue; // no serial attribute: a disk without <serial>
            }
            if (serial.equals(found)) {
                return name;
            }
        }
        return null;
    }

    /** The size in bytes the guest sees for its block device {@code name} (/sys/block/name/size x 512). */
    public static long guestDiskSize(String domain, String name) {
        return Long.parseLong(readGuestText(domain, "/sys/block/" + name + "/size")) * 512;
    }

    /** Destroys and undefines every domain whose name starts with the prefix (leftovers of a killed run). */
    public static void removeLeftovers(String prefix) {
        if (prefix == null || prefix.length() < 4) {
            throw new IllegalArgumentException("a recognisable prefix is needed, got " + prefix);
        }
        for (String name : virsh("list", "--all", "--name").split("\n")) {
            name = name.strip();
            if (name.startsWith(prefix)) {
                removeDomain(name);
            }
        }
    }

    /** Destroys (when running) and undefines a domain; a domain that does not exist is fine. */
    public static void removeDomain(String name) {
        run(Duration.ofSeconds(60), virshArgs("destroy", name));
        run(Duration.ofSeconds(60), virshArgs("undefine", name));
    }

    /** Runs virsh on the test connection and returns its stdout; throws with stderr when it fails. */
    public static String virsh(String... args) {
        Result r = run(Duration.ofMinutes(2), virshArgs(args));
        if (r.exitCode != 0) {
            throw new IllegalStateException("virsh " + String.join(" ", args) + " failed (exit " + r.exitCode + "): "
                    + r.stderr.strip());
        }
        return r.stdout;
    }

    /** Runs a host command (e.g. qemu-img) and returns its stdout; throws when it fails. */
    public static String host(String... command) {
        Result r = run(Duration.ofMinutes(2), command);
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + r.exitCode + "): "
                    + r.stderr.strip());
        }
        return r.stdout;
    }

    public static String libvirtUri() {
        return System.getProperty("vdr.libvirtUri", "qemu:///system");
    }

    private static String[] virshArgs(String... args) {
        List<String> all = new ArrayList<>(List.of("virsh", "-q", "-c", libvirtUri()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** {"execute": name, "arguments": {...filled by args...}}. */
    public static ObjectNode command(String name, Consumer<ObjectNode> args) {
        ObjectNode c = JSON.createObjectNode();
        c.put("execute", name);
        args.accept(c.putObject("arguments"));
        return c;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&apos;").replace("\"", "&quot;");
    }

    private static Path findRepoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve("scripts/build-guest-image.sh"))) {
                return q;
            }
        }
        throw new IllegalStateException("no scripts/build-guest-image.sh in " + p + " or above");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private static Result run(Duration timeout, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), PIPES);
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), PIPES);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
