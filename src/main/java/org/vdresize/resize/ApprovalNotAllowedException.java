package org.vdresize.resize;

/** This user may not decide this resize's approval (four eyes, or no user named). Nothing was changed. */
public class ApprovalNotAllowedException extends RuntimeException {

    public ApprovalNotAllowedException(String message) {
        super(message);
    }
}
