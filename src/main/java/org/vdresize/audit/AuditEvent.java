package org.vdresize.audit;

import java.time.Instant;

/** One business fact of the audit trail (api-contract.md, "Inventory and audit"). */
public record AuditEvent(Instant at, String type, String resizeId, String disk, String vm, String user,
                         Long oldSize, Long newSize, String detail) {
}
