package org.vdresize.resize;

import java.util.List;
import java.util.Map;

/** The workflow engine as the resize feature sees it (implemented in the process package). */
public interface ResizeProcessPort {

    /** Starts a resize process instance in the caller's transaction; returns its id. */
    String start(Map<String, Object> variables, String businessKey, String user);

    /** The steps an instance went through, oldest first, with failed attempts that wait for a retry. */
    List<ResizeView.Step> steps(String resizeId);
}
