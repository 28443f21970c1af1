package org.vdresize.lock;

/** Tells whether the resize that holds a lock still exists; a lock of a vanished resize is stale. */
public interface ResizeLiveness {

    boolean isActive(String resizeId);
}
