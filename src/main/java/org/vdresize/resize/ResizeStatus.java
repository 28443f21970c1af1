package org.vdresize.resize;

public enum ResizeStatus {
    RUNNING, WAITING_FOR_APPROVAL, NEEDS_ATTENTION, COMPLETED, FAILED, ROLLED_BACK, REJECTED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == ROLLED_BACK || this == REJECTED;
    }
}
