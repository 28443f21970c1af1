package org.vdresize.process;

import org.camunda.bpm.engine.AuthorizationException;

/**
 * The approval task may not be claimed or completed by this user (four eyes, or no user named). An
 * AuthorizationException, so engine-rest and the webapps answer 403 with this message
 * ({@link ApprovalRefusalPlugin} keeps the engine from hiding it in a generic listener failure).
 */
public class ApprovalRefusedException extends AuthorizationException {

    public ApprovalRefusedException(String message) {
        super(message);
    }
}
