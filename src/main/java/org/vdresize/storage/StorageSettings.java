package org.vdresize.storage;

import java.time.Duration;

/**
 * The storage step's timing (vdresize.storage.*, built by config).
 *
 * @param pollInterval how long the process waits between two checks of a running storage job
 * @param maxWait      a storage job still running after this long has timed out
 * @param lostAfter    a running job whose node has written no heartbeat for this long is lost
 */
public record StorageSettings(Duration pollInterval, Duration maxWait, Duration lostAfter) {
}
