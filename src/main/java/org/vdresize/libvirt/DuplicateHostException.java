package org.vdresize.libvirt;

import org.vdresize.common.HostUnavailableException;

/**
 * A call for a host that is the same libvirtd as a host configured before it: refused, so that its
 * VMs and volumes are seen and changed through the first host only (docs/hosts.md).
 */
final class DuplicateHostException extends HostUnavailableException {

    private final String duplicateOf;
    private final String reason;

    DuplicateHostException(String host, String duplicateOf, String hostUuid) {
        super(host, reason(duplicateOf, hostUuid), null);
        this.duplicateOf = duplicateOf;
        this.reason = reason(duplicateOf, hostUuid);
    }

    static String reason(String duplicateOf, String hostUuid) {
        return "same libvirtd as host " + duplicateOf + " (host UUID " + hostUuid + "): its VMs and volumes are used "
                + "through " + duplicateOf + " only; configure each hypervisor once (docs/hosts.md)";
    }

    String duplicateOf() {
        return duplicateOf;
    }

    /** Without the "host x unavailable" prefix: what /api/hosts shows as the host's error. */
    String reason() {
        return reason;
    }
}
