package org.vdresize.vm;

/** virDomainGetBlockInfo: what QEMU reports for one disk of a running domain, in bytes. */
public record BlockInfo(long capacity, long allocation, long physical) {
}
