package org.vdresize.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.vdresize.testsupport.GuestImage;
import org.vdresize.testsupport.TestFiles;

/**
 * The benchmark's own libvirt objects on qemu:///system, made with libvirt-java (fast to set up
 * 200 volumes and 20 domains): one dir pool, qcow2 and raw volumes, and no-OS domains
 * ({@code type='qemu'}, 32 MiB, SeaBIOS only) that keep QEMU holding the disks.
 *
 * <p>Every object is named {@code vdr-bench-<pid>-...}. {@link #removeLeftovers} removes every
 * object with the {@code vdr-bench-} prefix (scripts/bench.sh holds a lock, so no other benchmark
 * runs at the same time); {@link #close()} removes what this run made.
 */
final class BenchLibvirt implements AutoCloseable {

    static final String URI = "qemu:///system";
    static final String PREFIX = "vdr-bench-";
    static final long MIB = 1024L * 1024;
    private static final Pattern POOL_TARGET = Pattern.compile("<target>\\s*<path>([^<]+)</path>");

    private final Connect conn;
    private final String prefix;
    private final Path poolDir;
    private final StoragePool pool;
    private final List<String> domains = new CopyOnWriteArrayList<>();
    private final List<StoragePool> extraPools = new CopyOnWriteArrayList<>();

    private BenchLibvirt(Connect conn, String prefix, Path poolDir, StoragePool pool) {
        this.conn = conn;
        this.prefix = prefix;
        this.poolDir = poolDir;
        this.pool = pool;
    }

    /** Removes leftovers, then creates and starts a dir pool under {@code workDir}. */
    static BenchLibvirt create(Path workDir) throws LibvirtException {
        Connect conn = new Connect(URI, false);
        removeLeftovers(conn);
        String prefix = PREFIX + ProcessHandle.current().pid() + "-";
        Path dir = workDir.toAbsolutePath().resolve(prefix + "pool");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String name = prefix + "pool";
        StoragePool pool = conn.storagePoolDefineXML("<pool type='dir'><name>" + name + "</name><target><path>" + dir
                + "</path></target></pool>", 0);
        pool.create(0);
        return new BenchLibvirt(conn, prefix, dir, pool);
    }

    /** Destroys and undefines every domain and pool named vdr-bench-*, and deletes those pools' directories. */
    static void removeLeftovers(Connect conn) throws LibvirtException {
        for (Domain d : conn.listAllDomains(0)) {
            try {
                String name = d.getName();
                if (name.startsWith(PREFIX)) {
                    Bench.log("removing leftover domain " + name);
                    if (d.isActive() == 1) {
                        d.destroy();
                    }
                    d.undefine();
                }
            } catch (LibvirtException e) {
                Bench.log("  " + e.getMessage());
            } finally {
                d.free();
            }
        }
        List<String> pools = new ArrayList<>(List.of(conn.listStoragePools()));
        pools.addAll(List.of(conn.listDefinedStoragePools()));
        for (String name : pools) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            Bench.log("removing leftover pool " + name);
            try {
                Path dir = removePool(conn.storagePoolLookupByName(name));
                if (dir != null && dir.getFileName().toString().startsWith(PREFIX)) {
                    TestFiles.deleteRecursively(dir);
                }
            } catch (LibvirtException e) {
                Bench.log("  " + e.getMessage());
            }
        }
    }

    Connect connect() {
        return conn;
    }

    Path poolDir() {
        return poolDir;
    }

    String poolName() {
        return prefix + "pool";
    }

    String name(String label) {
        return prefix + label;
    }

    /** Another dir pool of this run, in {@code parent} (e.g. /dev/shm, a tmpfs); removed with the rest. */
    StoragePool createPool(String label, Path parent) throws LibvirtException, IOException {
        Path dir = Files.createDirectories(parent.resolve(prefix + label));
        StoragePool p = conn.storagePoolDefineXML("<pool type='dir'><name>" + prefix + label + "</name><target><path>"
                + dir + "</path></target></pool>", 0);
        extraPools.add(p);
        p.create(0);
        return p;
    }

    /** A raw volume with every block allocated, in the given pool. */
    static void createRawPreallocated(StoragePool p, String volume, long bytes) throws LibvirtException {
        p.storageVolCreateXML("<volume><name>" + volume + "</name><capacity unit='bytes'>" + bytes
                + "</capacity><allocation unit='bytes'>" + bytes + "</allocation><target><format type='raw'/></target></volume>", 0)
                .free();
    }

    static void deleteVolume(StoragePool p, String volume) throws LibvirtException {
        StorageVol v = p.storageVolLookupByName(volume);
        v.delete(0);
        v.free();
    }

    Path createQcow2(String volume, long bytes) throws LibvirtException {
        return createVolume(volume, bytes, "qcow2", 0);
    }

    /** A raw file with every block allocated (allocation == capacity). */
    Path createRawPreallocated(String volume, long bytes) throws LibvirtException {
        return createVolume(volume, bytes, "raw", bytes);
    }

    private Path createVolume(String volume, long bytes, String format, long allocation) throws LibvirtException {
        StorageVol v = pool.storageVolCreateXML("<volume><name>" + volume + "</name><capacity unit='bytes'>" + bytes
                + "</capacity><allocation unit='bytes'>" + allocation + "</allocation><target><format type='" + format
                + "'/></target></volume>", 0);
        String path = v.getPath();
        v.free();
        return Path.of(path);
    }

    record Disk(Path path, String target, String format) {
    }

    /** Defines and starts a no-OS domain with virtio disks; returns its name. */
    String startVm(String label, List<Disk> disks) throws LibvirtException {
        String name = name(label);
        StringBuilder xml = new StringBuilder()
                .append("<domain type='qemu'><name>").append(name).append("</name>")
                .append("<memory unit='MiB'>32</memory><vcpu>1</vcpu>")
                .append("<os><type arch='x86_64' machine='pc'>hvm</type></os>")
                .append("<on_reboot>destroy</on_reboot><devices>");
        for (Disk disk : disks) {
            xml.append("<disk type='file' device='disk'><driver name='qemu' type='").append(disk.format()).append("'/>")
                    .append("<source file='").append(disk.path()).append("'/>")
                    .append("<target dev='").append(disk.target()).append("' bus='virtio'/></disk>");
        }
        xml.append("<memballoon model='none'/>")
                .append("</devices></domain>");
        Domain d = conn.domainDefineXML(xml.toString());
        domains.add(name);
        d.create();
        d.free();
        return name;
    }

    /**
     * Defines and starts the tiny test guest of scripts/build-guest-image.sh (TCG, direct kernel boot,
     * qemu-guest-agent) with one qcow2 disk at {@code target} carrying {@code serial} (the guest step finds
     * the disk by its serial); returns its name. It boots in the background: {@link GuestImage#waitForAgent}.
     */
    String startGuest(String label, Path disk, String target, String serial) throws LibvirtException {
        String name = name(label);
        String xml = GuestImage.get().domainXml(name, List.of(new GuestImage.Disk(disk, "qcow2", target, "virtio", serial)),
                poolDir.resolveSibling(name + ".console.log"));
        Domain d = conn.domainDefineXML(xml);
        domains.add(name);
        d.create();
        d.free();
        return name;
    }

    /** Destroys and undefines this run's domains, removes its pool and deletes its directory. */
    @Override
    public void close() {
        for (String name : domains) {
            try {
                Domain d = conn.domainLookupByName(name);
                if (d.isActive() == 1) {
                    d.destroy();
                }
                d.undefine();
                d.free();
            } catch (LibvirtException e) {
                Bench.log("cleanup of " + name + ": " + e.getMessage());
            }
        }
        List<StoragePool> all = new ArrayList<>(extraPools);
        all.add(pool);
        for (StoragePool p : all) {
            try {
                Path dir = removePool(p);
                if (dir != null) {
                    TestFiles.deleteRecursively(dir);
                }
            } catch (LibvirtException e) {
                Bench.log("cleanup of a pool: " + e.getMessage());
            }
        }
        TestFiles.deleteRecursively(poolDir);
        try {
            conn.close();
        } catch (LibvirtException e) {
            Bench.log("closing the connection: " + e.getMessage());
        }
    }

    /** Stops and undefines the pool; its target directory (left for the caller), or null when its XML names none. */
    private static Path removePool(StoragePool p) throws LibvirtException {
        Matcher m = POOL_TARGET.matcher(p.getXMLDesc(0));
        if (p.isActive() == 1) {
            p.destroy();
        }
        p.undefine();
        p.free();
        return m.find() ? Path.of(m.group(1)) : null;
    }
}
