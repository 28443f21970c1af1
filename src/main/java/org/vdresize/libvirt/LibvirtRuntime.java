package org.vdresize.libvirt;

import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide libvirt set-up, done once per JVM whatever number of registries exist (tests build
 * several): the default event loop, which keepalive, close callbacks and domain events need, run by
 * one daemon thread; and a global error callback so that libvirt does not print every error to
 * stderr (the errors reach us as exceptions and are logged where they are handled).
 */
final class LibvirtRuntime {

    private static final Logger log = LoggerFactory.getLogger(LibvirtRuntime.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /** Strongly referenced: JNA callbacks that are garbage collected crash the process when called. */
    private static final Libvirt.VirErrorCallback QUIET_ERRORS = LibvirtRuntime::onError;

    private LibvirtRuntime() {
    }

    /** Idempotent. Throws only when libvirt's C library cannot be loaded at all. */
    static void ensureStarted() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            Connect.setErrorCallback(QUIET_ERRORS);
            Library.initEventLoop();
        } catch (LibvirtException e) {
            STARTED.set(false);
            throw new IllegalStateException("cannot initialise libvirt's event loop: " + LibvirtErrors.message(e), e);
        }
        Thread loop = new Thread(LibvirtRuntime::runLoop, "libvirt-event-loop");
        loop.setDaemon(true);
        loop.start();
    }

    private static void runLoop() {
        while (true) {
            try {
                Library.runEventLoop();
                return; // stopped on purpose
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (LibvirtException | RuntimeException e) {
                log.warn("libvirt event loop failed, restarting it in 1 s: {}", e.toString());
                try {
                    Thread.sleep(1000); // no busy loop when every iteration fails
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void onError(Pointer userData, virError error) {
        if (log.isDebugEnabled() && error != null) {
            log.debug("libvirt error {}/{}: {}", error.domain, error.code, error.message);
        }
    }
}
