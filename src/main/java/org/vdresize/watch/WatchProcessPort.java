package org.vdresize.watch;

import java.time.Duration;

/** The workflow engine as the watch feature sees it (implemented in the process package). */
public interface WatchProcessPort {

    /**
     * Starts the watch's process instance in the caller's transaction; returns its id. {@code user}
     * has been allowed to by the caller; it is the engine's current user again afterwards.
     */
    String start(String watchId, Duration interval, String user);

    /** Ends the instance (it may have ended already), in the caller's transaction. */
    void stop(String processInstanceId, String reason, String user);
}
