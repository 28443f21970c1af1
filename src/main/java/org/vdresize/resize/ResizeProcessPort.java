package org.vdresize.resize;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The workflow engine as the resize feature sees it (implemented in the process package). */
public interface ResizeProcessPort {

    /**
     * Starts a resize process instance in the caller's transaction; returns its id.
     *
     * @param validationToken names the caller's validation of this very request a moment ago
     *                        ({@link PrevalidatedRequests}): the process's validation step takes it
     *                        instead of asking libvirt again (null: it validates)
     */
    String start(Map<String, Object> variables, String businessKey, String user, String validationToken);

    /** The steps an instance went through, oldest first, with failed attempts that wait for a retry. */
    List<ResizeView.Step> steps(String resizeId);

    /**
     * How the instance ended when it was cancelled or deleted (in Cockpit, through engine-rest):
     * empty while it runs, and for an instance the engine does not know.
     */
    Optional<Cancellation> cancellation(String resizeId);

    /**
     * @param user   who deleted it, from the engine's user operation log (null when it was not recorded)
     * @param reason the delete reason given, or the engine's default
     */
    record Cancellation(String user, String reason, java.time.Instant at) {
    }
}
