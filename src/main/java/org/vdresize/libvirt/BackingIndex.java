package org.vdresize.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.vdresize.inventory.StorageVolume;

/**
 * Finds the images whose backing store is a given path without reading every volume of every pool
 * each time: reading a volume's XML makes libvirt re-read the image file (one round trip and a file
 * read per volume, 100+ ms for 200 volumes, and it waits while libvirt holds the pool's lock for
 * another volume's preallocation).
 *
 * <p>A backing store is written in the image's header, so it changes only when the file changes.
 * For the volumes of directory-like pools on this machine, a volume's description is kept with its
 * file's identity (device, inode, size, mtime, ctime, taken before the description is read) and read
 * again when any of those differs, or when it is older than {@link #MAX_AGE_NANOS}: libvirt may learn
 * of a change behind its back later than the file shows it. The pools and their volume names are
 * listed on every call, so new and deleted volumes are seen at once; volumes of remote hosts and of
 * other pool types are read every time.
 */
final class BackingIndex {

    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final Set<String> FILE_POOL_TYPES = Set.of("dir", "fs", "netfs");

    private record Fingerprint(Object dev, Object ino, Object size, Object mtime, Object ctime) {
    }

    private record Entry(Fingerprint fingerprint, StorageVolume volume, long readAtNanos) {
    }

    /** host -> image file path -> its description as last read */
    private final Map<String, Map<String, Entry>> hosts = new ConcurrentHashMap<>();
    /** Volume descriptions read from libvirt so far: what the kept ones save is visible here (tests). */
    private final AtomicLong volumeReads = new AtomicLong();

    /** Every volume of the host's active pools whose backing store is {@code path}. */
    List<StorageVolume> volumesBackedBy(String host, boolean local, Connect c, String path) throws LibvirtException {
        Map<String, Entry> kept = hosts.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
        Set<String> seen = new HashSet<>();
        List<StorageVolume> found = new ArrayList<>();
        for (String poolName : c.listStoragePools()) {
            StoragePool pool = null;
            try {
                pool = c.storagePoolLookupByName(poolName);
                String dir = local ? fileTarget(pool) : null;
                for (String name : pool.listVolumes()) {
                    StorageVolume volume = dir == null ? read(host, pool, poolName, name)
                            : cachedRead(host, pool, poolName, name, Path.of(dir, name).toString(), kept, seen);
                    if (volume != null && path.equals(volume.backingPath())) {
                        found.add(volume);
                    }
                }
            } catch (LibvirtException e) {
                if (!LibvirtErrors.isNotFound(e) && !LibvirtInventory.stopped(pool)) {
                    throw e;
                } // pool undefined or stopped while we listed: it holds no active volume
            } finally {
                Handles.free(pool);
            }
        }
        kept.keySet().retainAll(seen); // forget deleted volumes and pools
        return found;
    }

    long volumeReads() {
        return volumeReads.get();
    }

    private StorageVolume cachedRead(String host, StoragePool pool, String poolName, String name, String file,
                                     Map<String, Entry> kept, Set<String> seen) throws LibvirtException {
        Fingerprint fingerprint = fingerprint(file); // before the read: a change during it shows next time
        Entry entry = kept.get(file);
        if (fingerprint != null && entry != null && fingerprint.equals(entry.fingerprint())
                && poolName.equals(entry.volume().pool())
                && System.nanoTime() - entry.readAtNanos() < MAX_AGE_NANOS) {
            seen.add(file);
            return entry.volume();
        }
        long readAt = System.nanoTime();
        StorageVolume volume = read(host, pool, poolName, name);
        // kept only when the volume really is that plain file (not a file we cannot stat)
        if (volume != null && fingerprint != null && file.equals(volume.path())) {
            kept.put(file, new Entry(fingerprint, volume, readAt));
            seen.add(file);
        }
        return volume;
    }

    /** The target directory of a directory-like pool; null for other pools or an unreadable description. */
    private static String fileTarget(StoragePool pool) throws LibvirtException {
        String xml = pool.getXMLDesc(0);
        try {
            LibvirtXml.PoolDescription description = LibvirtXml.pool(xml);
            return FILE_POOL_TYPES.contains(description.type()) ? description.targetPath() : null;
        } catch (RuntimeException e) {
            return null; // read its volumes every time
        }
    }

    /** The volume's description, re-read by libvirt from the image; null when it is gone. */
    private StorageVolume read(String host, StoragePool pool, String poolName, String name) throws LibvirtException {
        StorageVol volume = null;
        try {
            volumeReads.incrementAndGet();
            volume = pool.storageVolLookupByName(name);
            return LibvirtInventory.volume(host, poolName, volume);
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNotFound(e)) {
                return null; // deleted while we listed
            }
            throw e;
        } finally {
            Handles.free(volume);
        }
    }

    /** The file's identity (following a symlink: the header is the target's); null when it cannot be read. */
    private static Fingerprint fingerprint(String file) {
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(file), "unix:dev,ino,size,lastModifiedTime,ctime");
            return new Fingerprint(a.get("dev"), a.get("ino"), a.get("size"), a.get("lastModifiedTime"), a.get("ctime"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
