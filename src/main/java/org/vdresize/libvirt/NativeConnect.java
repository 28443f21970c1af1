package org.vdresize.libvirt;

import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;

/**
 * A {@link Connect} that hands out its native pointer (a protected field of libvirt-java), for the
 * few calls libvirt-java 0.5.4 does not wrap: registering domain events by event id.
 */
final class NativeConnect extends Connect {

    NativeConnect(String uri) throws LibvirtException {
        super(uri, false);
    }

    /** Null once closed. */
    ConnectionPointer pointer() {
        return vcp;
    }
}
