package org.vdresize.resize;

/**
 * When a resize waits for an approver (vdresize.approval.*, built by config). A growth above either
 * threshold waits for a person of the group disk-approvers; 0 turns a threshold off.
 *
 * @param growthBytes   growth (new size minus old size) above this many bytes
 * @param growthPercent growth above this percentage of the old size
 * @param fourEyes      the requester may neither claim nor complete the approval task ({@link FourEyes})
 */
public record ApprovalSettings(long growthBytes, double growthPercent, boolean fourEyes) {

    public boolean needed(long oldSize, long newSize) {
        long growth = newSize - oldSize;
        return (growthBytes > 0 && growth > growthBytes)
                || (growthPercent > 0 && oldSize > 0 && growth * 100.0 / oldSize > growthPercent);
    }
}
