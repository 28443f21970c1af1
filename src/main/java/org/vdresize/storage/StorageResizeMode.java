package org.vdresize.storage;

/** How the storage step grows a volume (docs/resize-process.md, step 1). */
public enum StorageResizeMode {
    /** qcow2 (or a disk outside any pool) held by a running QEMU: QEMU grows it in the VM step */
    QEMU_GROWS,
    /** plain virStorageVolResize: truncate for raw files, qemu-img resize for unused qcow2, lvextend for LVs */
    RESIZE,
    /** virStorageVolResize with ALLOCATE: the new tail is really allocated (preallocated raw) */
    ALLOCATE
}
