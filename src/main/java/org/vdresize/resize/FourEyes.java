package org.vdresize.resize;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.common.NodeIdentity;

/**
 * The four-eyes rule of approvals: the user who requested a resize may neither claim nor decide its
 * approval, whatever their groups (camunda-admin too), unless vdresize.approval.four-eyes is false.
 * Whoever decides must be named, with the rule on or off, because the audit trail records the approver.
 */
@Service
public class FourEyes {

    private static final Logger log = LoggerFactory.getLogger(FourEyes.class);

    private final ResizeRepository resizes;
    private final AuditService audit;
    private final boolean enforced;
    private final String node;
    private final List<RequesterOwners> owners;

    @Autowired
    public FourEyes(ResizeRepository resizes, AuditService audit, ApprovalSettings approval, NodeIdentity node,
                    List<RequesterOwners> owners) {
        this(resizes, audit, approval.fourEyes(), node.id(), owners);
    }

    FourEyes(ResizeRepository resizes, AuditService audit, boolean enforced, String node, List<RequesterOwners> owners) {
        this.resizes = resizes;
        this.audit = audit;
        this.enforced = enforced;
        this.node = node;
        this.owners = List.copyOf(owners);
    }

    public boolean enforced() {
        return enforced;
    }

    /**
     * Before an approval decision (approve or reject) is completed.
     *
     * @param approver the authenticated user completing the task, or null when none is
     * @throws ApprovalNotAllowedException no user is named, or (rule on) the approver requested the resize
     */
    public void checkApprover(String resizeId, String approver) {
        if (approver == null || approver.isBlank()) {
            throw new ApprovalNotAllowedException("an approval needs an authenticated user, because the audit trail"
                    + " names who approved: authenticate (IdentityService.setAuthentication) before completing the task");
        }
        refuseRequester(resizeId, approver, "approve or reject");
    }

    /**
     * Before the approval task is given to a user (claim, assignment, delegation).
     *
     * @throws ApprovalNotAllowedException (rule on) the assignee requested the resize
     */
    public void checkAssignee(String resizeId, String assignee) {
        if (assignee != null) {
            refuseRequester(resizeId, assignee, "claim or be assigned");
        }
    }

    private void refuseRequester(String resizeId, String user, String what) {
        if (!enforced) {
            return;
        }
        Optional<String> requester = resizes.find(resizeId).map(ResizeRepository.ResizeRow::requestedBy);
        if (requester.isEmpty()) {
            return;
        }
        // user ids compared without case: a database that matches logins without case must not let
        // "Alice" approve what "alice" requested
        if (requester.get().equalsIgnoreCase(user)) {
            log.warn("resize {}: refused, {} requested it and may not {} its approval (four eyes)", resizeId, user, what);
            throw new ApprovalNotAllowedException("four eyes: " + user + " requested resize " + resizeId
                    + " and may not " + what + " its approval; another member of disk-approvers must decide");
        }
        for (RequesterOwners owner : owners) {
            if (owner.ownerOf(requester.get()).filter(user::equalsIgnoreCase).isPresent()) {
                log.warn("resize {}: refused, {} set up its requester {} and may not {} its approval (four eyes)",
                        resizeId, user, requester.get(), what);
                throw new ApprovalNotAllowedException("four eyes: " + user + " set up " + requester.get()
                        + ", which requested resize " + resizeId + ", and may not " + what
                        + " its approval; another member of disk-approvers must decide");
            }
        }
    }

    /** Each node that starts with the rule off says so in the audit trail, once per start. */
    @EventListener(ApplicationReadyEvent.class)
    public void recordWhenDisabled() {
        if (!enforced) {
            log.warn("vdresize.approval.four-eyes=false: requesters may approve their own resizes (node {})", node);
            audit.record(AuditType.FOUR_EYES_DISABLED, null, null, null, null, null, null,
                    "vdresize.approval.four-eyes=false at the start of node " + node
                            + ": requesters may approve their own resizes");
        }
    }
}
