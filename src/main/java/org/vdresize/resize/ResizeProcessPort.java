package org.vdresize.resize;

import java.util.List;
import java.util.Optional;

/** The workflow engine as the resize feature sees it (implemented in the process package). */
public interface ResizeProcessPort {

    /**
     * Starts a resize process instance for the request in the caller's transaction; returns its id.
     *
     * @param businessKey     the disk's path
     * @param user            the requester, as whom the engine starts it
     * @throws org.vdresize.common.NotPermittedException when the engine's authorization check refuses the user
     * @param validationToken names the caller's validation of this very request a moment ago
     *                        ({@link PrevalidatedRequests}): the process's validation step takes it
     *                        instead of asking libvirt again (null: it validates)
     */
    String start(ResizeRequest request, String businessKey, String user, String validationToken);

    /**
     * The failed attempts of steps that wait for a retry (RETRYING) or for a person (INCIDENT): an
     * attempt that failed rolled its step back, and only its job still says what went wrong. Empty
     * once the instance has ended. The steps themselves are vdresize's own rows ({@link ResizeRepository#steps}).
     */
    List<ResizeView.Step> failedAttempts(String resizeId);

    /**
     * How the instance ended when it was cancelled or deleted (in Cockpit, through engine-rest):
     * empty while it runs, and for an instance the engine does not know. Recorded by vdresize when it
     * happens; for an instance cancelled before vdresize recorded that, from the engine's history.
     */
    Optional<Cancellation> cancellation(String resizeId);

    /**
     * @param user   who deleted it, from the engine's user operation log (null when it was not recorded)
     * @param reason the delete reason given, or the engine's default
     */
    record Cancellation(String user, String reason, java.time.Instant at) {
    }
}
