package org.vdresize.inventory;

/** An active storage pool on one host. Sizes in bytes, as libvirt reports them. */
public record StoragePool(String host, String name, String type, String targetPath,
                          long capacity, long allocation, long available) {
}
