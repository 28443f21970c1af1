package org.vdresize.audit;

import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;

@Service
public class AuditService {

    /** Events oldest first; every argument may be null (no filter). */
    public List<AuditEvent> query(String diskPath, Instant from, Instant to) {
        throw new IllegalStateException("being written");
    }
}
