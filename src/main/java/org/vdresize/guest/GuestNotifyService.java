package org.vdresize.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;

/**
 * Step 7 of the original design (docs/resize-process.md), which oVirt never shipped: through the QEMU guest agent, find the
 * resized disk inside the guest (by its serial: guest device names do not follow libvirt targets),
 * check that the guest sees the new size (rescanning a SCSI disk that has not caught up), and grow
 * the filesystem on it online when asked. Nothing here ever fails the resize: every problem is an
 * outcome. Every name that reaches a path or an argument comes from the guest and is checked
 * against a strict pattern first; programs run with an argument vector, never through a shell.
 */
@Service
public class GuestNotifyService {

    private static final Logger log = LoggerFactory.getLogger(GuestNotifyService.class);
    private static final Pattern DISK_NAME = Pattern.compile("(vd[a-z]{1,3}|sd[a-z]{1,3})");
    private static final Pattern PARTITION = Pattern.compile("/dev/((?:vd|sd)[a-z]{1,3})(\\d{1,3})");
    private static final Pattern MOUNTPOINT = Pattern.compile("/[^\\x00-\\x1f]*");
    private static final int PING_TIMEOUT_S = 5;

    private final InventoryPort inventory;
    private final GuestAgentPort agentPort;
    private final ObjectMapper json;

    public GuestNotifyService(InventoryPort inventory, GuestAgentPort agentPort, ObjectMapper json) {
        this.inventory = inventory;
        this.agentPort = agentPort;
        this.json = json;
    }

    public GuestOutcome notify(String vmUuid, String diskPath, long newSize, boolean growFilesystem) {
        Optional<Vm> found = inventory.findVm(vmUuid).filter(vm -> vm.state().isActive());
        if (found.isEmpty()) {
            return failed(null, "the VM does not run any more");
        }
        Vm vm = found.get();
        Optional<VmDisk> disk = vm.diskByPath(diskPath);
        if (disk.isEmpty()) {
            return failed(null, "VM " + vm.name() + " no longer uses " + diskPath);
        }
        GuestAgentClient agent = new GuestAgentClient(agentPort, json, vm.host(), vm.uuid());
        try {
            agent.ping(PING_TIMEOUT_S);
        } catch (GuestAgentUnavailableException e) {
            return new GuestOutcome(GuestStatus.NO_AGENT, null, null, null, "no guest agent answers in VM " + vm.name() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return failed(null, "guest-ping failed: " + e.getMessage());
        }
        try {
            return check(agent, vm, disk.get(), newSize, growFilesystem);
        } catch (GuestAgentUnavailableException e) {
            return new GuestOutcome(GuestStatus.NO_AGENT, null, null, null, "the guest agent of " + vm.name() + " stopped answering: " + e.getMessage());
        } catch (RuntimeException e) {
            log.warn("[{}] guest step in VM {} failed: {}", diskPath, vm.name(), e.getMessage());
            return failed(null, e.getMessage());
        }
    }

    private GuestOutcome check(GuestAgentClient agent, Vm vm, VmDisk disk, long newSize, boolean growFilesystem) {
        if (disk.serial() == null || disk.serial().isBlank()) {
            return failed(null, "disk " + disk.target() + " has no <serial>: its device in the guest cannot be told apart safely");
        }
        String device = findDevice(agent, disk.serial());
        if (device == null) {
            return failed(null, "the guest of " + vm.name() + " shows no disk with serial " + disk.serial());
        }
        long size = guestSize(agent, device);
        GuestStatus status = GuestStatus.SEEN;
        if (size < newSize && device.startsWith("sd")) {
            agent.writeFile("/sys/class/block/" + device + "/device/rescan", "1\n".getBytes(StandardCharsets.US_ASCII));
            size = guestSize(agent, device);
            status = GuestStatus.RESCANNED;
        }
        if (size < newSize) {
            return new GuestOutcome(GuestStatus.FAILED, size, device, null, "the guest still sees " + size + " B on /dev/" + device);
        }
        String detail = "the guest of " + vm.name() + " sees " + size + " B on /dev/" + device;
        GuestOutcome.FilesystemGrowth fs = null;
        if (growFilesystem) {
            try {
                fs = growFilesystem(agent, device);
                detail += "; filesystem " + fs.status() + (fs.sizeAfter() == null ? ""
                        : ": " + fs.sizeBefore() + " B -> " + fs.sizeAfter() + " B");
            } catch (GuestAgentUnavailableException e) {
                throw e;
            } catch (RuntimeException e) {
                fs = growth(null, null, null, null, null, FilesystemStatus.FAILED);
                detail += "; growing the filesystem failed: " + e.getMessage();
            }
        }
        return new GuestOutcome(status, size, device, fs, detail);
    }

    /** The guest's whole-disk device whose serial is this one (virtio: sysfs serial; SCSI: VPD page 0x80). */
    static String findDevice(GuestAgentClient agent, String serial) {
        for (JsonNode entry : agent.disks()) {
            if (entry.path("partition").asBoolean()) {
                continue;
            }
            String name = entry.path("name").asText("").replaceFirst("^/dev/", "");
            if (!DISK_NAME.matcher(name).matches()) {
                continue;
            }
            if (serial.equals(serialOf(agent, name))) {
                return name;
            }
        }
        return null;
    }

    private static String serialOf(GuestAgentClient agent, String device) {
        try {
            if (device.startsWith("vd")) {
                return new String(agent.readFile("/sys/block/" + device + "/serial"), StandardCharsets.US_ASCII).trim();
            }
            byte[] page = agent.readFile("/sys/block/" + device + "/device/vpd_pg80");
            // 4 header bytes (peripheral, page code 0x80, length), then the serial
            return page.length <= 4 ? "" : new String(page, 4, page.length - 4, StandardCharsets.US_ASCII).trim();
        } catch (OperationFailedException noSuchAttribute) {
            return ""; // a disk without a serial has no such file
        }
    }

    static long guestSize(GuestAgentClient agent, String device) {
        String sectors = new String(agent.readFile("/sys/block/" + device + "/size"), StandardCharsets.US_ASCII).trim();
        return Long.parseLong(sectors) * 512; // always 512-byte sectors in sysfs
    }

    private GuestOutcome.FilesystemGrowth growFilesystem(GuestAgentClient agent, String device) {
        JsonNode fs = mountedOn(agent.filesystems(), device);
        if (fs == null) {
            return new GuestOutcome.FilesystemGrowth(null, null, null, null, null, FilesystemStatus.NOT_MOUNTED);
        }
        String dev = fsDevice(fs, device);
        String type = fs.path("type").asText();
        String mountpoint = fs.path("mountpoint").asText();
        long before = fs.path("total-bytes").asLong();
        if (!MOUNTPOINT.matcher(mountpoint).matches()) {
            return growth(dev, type, mountpoint, before, null, FilesystemStatus.UNSUPPORTED);
        }
        Matcher partition = PARTITION.matcher(dev);
        if (partition.matches()) {
            int number = Integer.parseInt(partition.group(2));
            if (number != lastPartition(agent, device)) {
                return growth(dev, type, mountpoint, before, null, FilesystemStatus.UNSUPPORTED); // only the last partition can grow in place
            }
            run(agent, "sfdisk", List.of("--no-reread", "--force", "-N", String.valueOf(number), "/dev/" + device), ",+\n");
            run(agent, "partx", List.of("-u", "-n", String.valueOf(number), "/dev/" + device), null);
        }
        switch (type) {
            case "ext2", "ext3", "ext4" -> run(agent, "resize2fs", List.of(dev), null);
            case "xfs" -> run(agent, "xfs_growfs", List.of(mountpoint), null);
            default -> {
                return growth(dev, type, mountpoint, before, null, FilesystemStatus.UNSUPPORTED);
            }
        }
        JsonNode after = mountedOn(agent.filesystems(), device);
        long afterBytes = after == null ? before : after.path("total-bytes").asLong();
        return growth(dev, type, mountpoint, before, afterBytes, afterBytes > before ? FilesystemStatus.GROWN : FilesystemStatus.UNCHANGED);
    }

    private static GuestOutcome.FilesystemGrowth growth(String dev, String type, String mountpoint, Long before, Long after,
                                                        FilesystemStatus status) {
        return new GuestOutcome.FilesystemGrowth(dev, type, mountpoint, before, after, status);
    }

    /** The mounted filesystem on the disk itself or on one of its partitions (the first found). */
    private static JsonNode mountedOn(JsonNode filesystems, String device) {
        for (JsonNode fs : filesystems) {
            if (fsDevice(fs, device) != null) {
                return fs;
            }
        }
        return null;
    }

    static String fsDevice(JsonNode fs, String device) {
        for (JsonNode disk : fs.path("disk")) {
            String dev = disk.path("dev").asText("");
            if (dev.equals("/dev/" + device)) {
                return dev;
            }
            Matcher partition = PARTITION.matcher(dev);
            if (partition.matches() && partition.group(1).equals(device)) {
                return dev;
            }
        }
        return null;
    }

    private static int lastPartition(GuestAgentClient agent, String device) {
        int last = 0;
        for (JsonNode entry : agent.disks()) {
            Matcher partition = PARTITION.matcher(entry.path("name").asText(""));
            if (entry.path("partition").asBoolean() && partition.matches() && partition.group(1).equals(device)) {
                last = Math.max(last, Integer.parseInt(partition.group(2)));
            }
        }
        return last;
    }

    private static void run(GuestAgentClient agent, String program, List<String> args, String stdin) {
        GuestAgentClient.ExecResult result = agent.exec(program, args, stdin);
        if (result.exitCode() != 0) {
            throw new OperationFailedException(program + " " + String.join(" ", args) + " exited " + result.exitCode()
                    + ": " + (result.err().isBlank() ? result.out() : result.err()).strip());
        }
    }

    private static GuestOutcome failed(String device, String detail) {
        return new GuestOutcome(GuestStatus.FAILED, null, device, null, detail);
    }
}
