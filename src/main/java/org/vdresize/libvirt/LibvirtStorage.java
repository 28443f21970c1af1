package org.vdresize.libvirt;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.StorageVolume;
import org.vdresize.storage.StoragePort;

/**
 * Grows storage volumes with {@code virStorageVolResize} and, for compensation only, puts them back.
 * Every method looks the pool and volume up by name on the named host, reads the volume's current
 * state from libvirt first and frees the handles before returning.
 */
@Component
public class LibvirtStorage implements StoragePort {

    private static final Logger log = LoggerFactory.getLogger(LibvirtStorage.class);

    /** Pool types whose volumes are plain files in a directory this process can reach when the host is local. */
    private static final Set<String> FILE_POOL_TYPES = Set.of("dir", "fs", "netfs");

    @FunctionalInterface
    private interface VolumeCall<T> {
        T call(StoragePool pool, StorageVol volume, LibvirtXml.VolumeDescription current) throws LibvirtException;
    }

    private final LibvirtHosts hosts;

    public LibvirtStorage(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public StorageVolume volume(String host, String pool, String volume) {
        return hosts.read(host, describe(pool, volume),
                c -> withVolume(c, pool, volume, (p, v, current) -> LibvirtInventory.toVolume(host, pool, current)));
    }

    @Override
    public void grow(String host, String pool, String volume, long capacity, boolean allocate) {
        String what = "resize of volume " + pool + "/" + volume + " to " + capacity + " bytes";
        hosts.write(host, what, c -> withVolume(c, pool, volume, (p, v, current) -> {
            if (capacity < current.capacity()) {
                throw new OperationFailedException(what + " refused: it would shrink the volume from "
                        + current.capacity() + " bytes");
            }
            if (capacity == current.capacity()) {
                log.info("{}: already at that capacity", what);
                return null;
            }
            int flags = allocate ? StorageVol.ResizeFlags.ALLOCATE : 0;
            long started = System.nanoTime();
            v.resize(capacity, flags);
            log.info("{} ({}) done in {} ms", what, allocate ? "allocated" : "thin", (System.nanoTime() - started) / 1_000_000);
            return null;
        }));
    }

    @Override
    public void shrinkBack(String host, String pool, String volume, long capacity) {
        String what = "shrink back of volume " + pool + "/" + volume + " to " + capacity + " bytes";
        hosts.write(host, what, c -> withVolume(c, pool, volume, (p, v, current) -> {
            if (capacity > current.capacity()) {
                throw new OperationFailedException(what + " refused: the volume is smaller (" + current.capacity()
                        + " bytes), this is not a shrink");
            }
            if (capacity == current.capacity()) {
                // done before (a retried compensation): a raw file cut to this size holds nothing beyond it
                log.info("{}: already at that capacity", what);
                return null;
            }
            if (current.allocation() <= capacity) {
                // libvirt shrinks when nothing allocated lies beyond: ftruncate for raw, qemu-img resize --shrink for qcow2
                v.resize(capacity, StorageVol.ResizeFlags.SHRINK);
            } else if (isRaw(current)) {
                truncateLocalFile(host, p, current, capacity, what);
            } else {
                throw new OperationFailedException(what + " impossible: " + current.allocation()
                        + " bytes are allocated, more than the old capacity, and libvirt never shrinks a "
                        + current.format() + " volume below its allocation");
            }
            log.info("{} done", what);
            return null;
        }));
    }

    /**
     * libvirt refuses to shrink below the allocation, and a preallocated raw volume has its new tail
     * allocated: cut the file ourselves, which frees those blocks, then let the pool re-read it.
     * Only where that file is ours to touch: a file volume of a local directory-like pool, whose size
     * as we see it is the size libvirt reports (else it is not the same file, e.g. another mount namespace).
     */
    private void truncateLocalFile(String host, StoragePool pool, LibvirtXml.VolumeDescription current, long capacity,
                                   String what) throws LibvirtException {
        LibvirtXml.PoolDescription poolDescription = LibvirtXml.pool(pool.getXMLDesc(0));
        if (!hosts.isLocal(host) || !FILE_POOL_TYPES.contains(poolDescription.type())
                || !"file".equals(current.type()) || current.path() == null) {
            throw new OperationFailedException(what + " impossible: " + current.allocation()
                    + " bytes are allocated beyond the old capacity, libvirt never shrinks below the allocation, and "
                    + "the file cannot be cut here (pool type " + poolDescription.type() + ", host " + host + " at "
                    + LibvirtUri.withoutUser(hosts.uri(host)) + (hosts.isLocal(host) ? "" : " is not local") + ")");
        }
        Path file = Path.of(current.path());
        try {
            long size = Files.size(file);
            if (size != current.capacity()) {
                throw new OperationFailedException(what + " impossible: " + file + " has " + size
                        + " bytes here but libvirt reports " + current.capacity() + "; not the same file");
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(capacity);
                channel.force(true);
            }
        } catch (IOException e) {
            throw new OperationFailedException(what + " failed: " + e, e);
        }
        pool.refresh(0);
    }

    private static boolean isRaw(LibvirtXml.VolumeDescription volume) {
        return volume.format() == null || "raw".equals(volume.format());
    }

    private static <T> T withVolume(Connect c, String poolName, String volumeName, VolumeCall<T> call)
            throws LibvirtException {
        StoragePool pool = null;
        StorageVol volume = null;
        try {
            pool = c.storagePoolLookupByName(poolName);
            volume = pool.storageVolLookupByName(volumeName);
            return call.call(pool, volume, LibvirtXml.volume(volume.getXMLDesc(0)));
        } finally {
            Handles.free(volume);
            Handles.free(pool);
        }
    }

    private static String describe(String pool, String volume) {
        return "volume " + pool + "/" + volume;
    }
}
