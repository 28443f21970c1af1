package org.vdresize.inventory;

/** A configured libvirt host and whether it answers now. */
public record HostStatus(String name, String uri, boolean available, String error) {
}
