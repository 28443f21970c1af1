package org.vdresize.resize;

import org.vdresize.audit.AuditType;
import org.vdresize.resize.ResizeRepository.ResizeRow;

/**
 * What one step did, as the step classes publish it to the {@link StepRecorder}, which writes it:
 * the words for the step's line in the timeline ({@code stepDetail}), the resize's new status (with
 * why, for an ending) and the audit trail's entry. A part that is null is not written.
 *
 * <p>{@code resize} is the resize's row as the step read it. {@link #of} takes the requester and
 * both sizes from it; {@link #by}, {@link #vm} and {@link #sizes} change them for the audit entry where it says otherwise (an
 * approver, one VM, the sizes of a shrink back).
 */
public record Happened(StepRef step, ResizeRow resize, String stepDetail, StatusChange status, AuditType auditType,
                       String auditDetail, String vm, String user, Long oldSize, Long newSize) {

    /** A status to write, and for an ending why (code and message may be null: kept as they were). */
    public record StatusChange(ResizeStatus status, ErrorCode code, String message) {
    }

    /** Nothing yet, in the step of this resize. */
    public static Happened of(StepRef step, ResizeRow r) {
        return new Happened(step, r, null, null, null, null, null, r.requestedBy(), r.oldSize(), r.newSize());
    }

    /** The step's words in the timeline. */
    public Happened detail(String words) {
        return new Happened(step, resize, words, status, auditType, auditDetail, vm, user, oldSize, newSize);
    }

    public Happened status(ResizeStatus to) {
        return status(to, null, null);
    }

    public Happened status(ResizeStatus to, ErrorCode code, String message) {
        return new Happened(step, resize, stepDetail, new StatusChange(to, code, message), auditType, auditDetail, vm,
                user, oldSize, newSize);
    }

    /** An audit trail entry of this type. */
    public Happened audited(AuditType type, String detail) {
        return new Happened(step, resize, stepDetail, status, type, detail, vm, user, oldSize, newSize);
    }

    /** Who the audit entry names, when not the requester. */
    public Happened by(String someone) {
        return new Happened(step, resize, stepDetail, status, auditType, auditDetail, vm, someone, oldSize, newSize);
    }

    /** The VM the audit entry is about. */
    public Happened vm(String name) {
        return new Happened(step, resize, stepDetail, status, auditType, auditDetail, name, user, oldSize, newSize);
    }

    /** The sizes the audit entry shows, when not the row's old and new size. */
    public Happened sizes(Long before, Long after) {
        return new Happened(step, resize, stepDetail, status, auditType, auditDetail, vm, user, before, after);
    }
}
