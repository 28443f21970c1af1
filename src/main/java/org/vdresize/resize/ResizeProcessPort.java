package org.vdresize.resize;

import java.util.List;
import java.util.Map;

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
}
