package org.vdresize.libvirt;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees libvirt handles at once instead of leaving them to finalizers (each pins its connection).
 * Null-safe and quiet: a failed free must not hide the result or the error of the call itself.
 */
final class Handles {

    private static final Logger log = LoggerFactory.getLogger(Handles.class);

    private Handles() {
    }

    static void free(Domain domain) {
        if (domain != null) {
            try {
                domain.free();
            } catch (LibvirtException | RuntimeException e) {
                log.debug("freeing a domain handle: {}", e.toString());
            }
        }
    }

    static void free(Domain[] domains) {
        if (domains != null) {
            for (Domain domain : domains) {
                free(domain);
            }
        }
    }

    static void free(StoragePool pool) {
        if (pool != null) {
            try {
                pool.free();
            } catch (LibvirtException | RuntimeException e) {
                log.debug("freeing a pool handle: {}", e.toString());
            }
        }
    }

    static void free(StorageVol volume) {
        if (volume != null) {
            try {
                volume.free();
            } catch (LibvirtException | RuntimeException e) {
                log.debug("freeing a volume handle: {}", e.toString());
            }
        }
    }
}
