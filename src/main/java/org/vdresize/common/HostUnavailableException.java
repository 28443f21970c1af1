package org.vdresize.common;

/** A libvirt host cannot be reached right now; worth retrying later. */
public class HostUnavailableException extends TransientFailureException {
    private final String host;

    public HostUnavailableException(String host, String message, Throwable cause) {
        super("host " + host + " unavailable: " + message, cause);
        this.host = host;
    }

    public String host() {
        return host;
    }
}
