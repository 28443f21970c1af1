package org.vdresize.libvirt;

import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.Libvirt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connect} that hands out its native pointer (a protected field of libvirt-java), for the
 * few calls libvirt-java 0.5.4 does not wrap: registering domain events by event id. The events it
 * registered are deregistered when it is closed: libvirt keeps a connection with registered events
 * alive and goes on calling their callbacks after {@code virConnectClose}, into Java objects that may
 * be gone by then (a JVM crash in the event loop: seen in the ITs, where contexts come and go).
 */
final class NativeConnect extends Connect {

    private static final Logger log = LoggerFactory.getLogger(NativeConnect.class);

    private final List<Integer> domainEvents = new ArrayList<>();

    NativeConnect(String uri) throws LibvirtException {
        super(uri, false);
    }

    /** Null once closed. */
    ConnectionPointer pointer() {
        return vcp;
    }

    /**
     * virConnectDomainEventRegisterAny for all domains; the callback must stay strongly referenced
     * by the caller for as long as libvirt may call it.
     *
     * @return false when the host refuses this event
     */
    synchronized boolean registerDomainEvent(int eventId, Libvirt.VirDomainEventCallback callback) {
        if (vcp == null) {
            return false;
        }
        int id = Libvirt.INSTANCE.virConnectDomainEventRegisterAny(vcp, null, eventId, callback, null, null);
        if (id < 0) {
            return false;
        }
        domainEvents.add(id);
        return true;
    }

    @Override
    public int close() throws LibvirtException {
        synchronized (this) {
            if (vcp != null) {
                for (int id : domainEvents) {
                    if (Libvirt.INSTANCE.virConnectDomainEventDeregisterAny(vcp, id) < 0) {
                        log.debug("domain event {} was not deregistered (the connection is broken)", id);
                    }
                }
            }
            domainEvents.clear();
        }
        return super.close();
    }
}
