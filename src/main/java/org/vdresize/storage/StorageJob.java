package org.vdresize.storage;

import java.time.Instant;

/** A row of vdr_storage_job: one storage extend, possibly still running on some node. */
public record StorageJob(String id, String resizeId, String host, String pool, String volume, String path,
                         StorageResizeMode mode, long oldCapacity, Long oldAllocation, long targetCapacity,
                         State state, Long progress, String error, String node, Instant heartbeatAt,
                         Instant startedAt, Instant endedAt) {

    public enum State { RUNNING, DONE, FAILED, ROLLED_BACK }
}
