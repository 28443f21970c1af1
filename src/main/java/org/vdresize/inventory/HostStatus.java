package org.vdresize.inventory;

/**
 * A configured libvirt host and whether it answers now. {@code uri} is the URI as configured, which
 * only camunda-admin may see: everyone else gets {@link #redacted()}.
 *
 * @param duplicateOf the host configured before this one that is the same libvirtd (same host UUID);
 *                    this one is then not available and not used. Null otherwise.
 */
public record HostStatus(String name, String uri, boolean available, String error, String duplicateOf) {

    public HostStatus(String name, String uri, boolean available, String error) {
        this(name, uri, available, error, null);
    }

    /** The same without the URI's user part and secrets, in the URI and in the error ({@link HostUri}). */
    public HostStatus redacted() {
        HostUri hostUri = new HostUri(uri);
        return new HostStatus(name, hostUri.redacted(), available, hostUri.scrub(error), duplicateOf);
    }
}
