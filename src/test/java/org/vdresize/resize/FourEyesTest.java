package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vdresize.audit.AuditService;
import org.vdresize.audit.AuditType;
import org.vdresize.resize.ResizeRepository.ResizeRow;

/** The four-eyes rule on its own: who may claim and decide an approval, on and off. */
class FourEyesTest {

    final ResizeRepository resizes = mock(ResizeRepository.class);
    final AuditService audit = mock(AuditService.class);

    FourEyes rule(boolean enforced) {
        when(resizes.find("r1")).thenReturn(Optional.of(requestedBy("olga")));
        when(resizes.find("unnamed")).thenReturn(Optional.of(requestedBy(null)));
        when(resizes.find("grown")).thenReturn(Optional.of(requestedBy("watch:w1")));
        RequesterOwners watches = requester -> "watch:w1".equals(requester) ? Optional.of("wanda") : Optional.empty();
        return new FourEyes(resizes, audit, enforced, "node-a", java.util.List.of(watches));
    }

    static ResizeRow requestedBy(String user) {
        return new ResizeRow("r1", ResizeStatus.WAITING_FOR_APPROVAL, false, "/pool/d.img", "local", "p", "d.img", "raw",
                false, 1L, "+2G", 2L, true, false, user, null, Instant.EPOCH, null, null, null);
    }

    @Test
    void theRequesterMayNeitherDecideNorClaimTheApproval() {
        FourEyes fourEyes = rule(true);

        assertThatThrownBy(() -> fourEyes.checkApprover("r1", "olga")).isInstanceOf(ApprovalNotAllowedException.class)
                .hasMessage("four eyes: olga requested resize r1 and may not approve or reject its approval;"
                        + " another member of disk-approvers must decide");
        assertThatThrownBy(() -> fourEyes.checkAssignee("r1", "olga")).isInstanceOf(ApprovalNotAllowedException.class)
                .hasMessageContaining("may not claim or be assigned");
        // user ids are compared without case: a database that matches logins without case changes nothing
        assertThatThrownBy(() -> fourEyes.checkApprover("r1", "OLGA")).isInstanceOf(ApprovalNotAllowedException.class);
    }

    @Test
    void whoSetUpANonPersonRequesterAnswersForItsResizes() {
        FourEyes fourEyes = rule(true);

        assertThatThrownBy(() -> fourEyes.checkApprover("grown", "wanda")).isInstanceOf(ApprovalNotAllowedException.class)
                .hasMessage("four eyes: wanda set up watch:w1, which requested resize grown, and may not approve or reject"
                        + " its approval; another member of disk-approvers must decide");
        assertThatThrownBy(() -> fourEyes.checkAssignee("grown", "WANDA")).isInstanceOf(ApprovalNotAllowedException.class);
        assertThatCode(() -> fourEyes.checkApprover("grown", "paul")).doesNotThrowAnyException();
        // a person's resize is not looked up as a watch
        assertThatCode(() -> fourEyes.checkApprover("r1", "wanda")).doesNotThrowAnyException();
        assertThatCode(() -> rule(false).checkApprover("grown", "wanda")).doesNotThrowAnyException();
    }

    @Test
    void anyoneElseMayAndAnUnassignedTaskIsNoConcern() {
        FourEyes fourEyes = rule(true);

        assertThatCode(() -> fourEyes.checkApprover("r1", "paul")).doesNotThrowAnyException();
        assertThatCode(() -> fourEyes.checkAssignee("r1", "paul")).doesNotThrowAnyException();
        assertThatCode(() -> fourEyes.checkAssignee("r1", null)).doesNotThrowAnyException();
        // started by Java code without a user: no requester to compare with, the approver is still named
        assertThatCode(() -> fourEyes.checkApprover("unnamed", "paul")).doesNotThrowAnyException();
        assertThat(fourEyes.enforced()).isTrue();
    }

    @Test
    void aDecisionNeedsANamedUserWithTheRuleOnOrOff() {
        for (boolean enforced : new boolean[] {true, false}) {
            FourEyes fourEyes = rule(enforced);
            assertThatThrownBy(() -> fourEyes.checkApprover("r1", null)).as("four-eyes=%s", enforced)
                    .isInstanceOf(ApprovalNotAllowedException.class).hasMessageContaining("authenticated user");
            assertThatThrownBy(() -> fourEyes.checkApprover("r1", " ")).isInstanceOf(ApprovalNotAllowedException.class);
        }
    }

    @Test
    void turnedOffTheRequesterMayDecideAndEachStartSaysSoInTheAuditTrail() {
        FourEyes fourEyes = rule(false);

        assertThatCode(() -> fourEyes.checkApprover("r1", "olga")).doesNotThrowAnyException();
        assertThatCode(() -> fourEyes.checkAssignee("r1", "olga")).doesNotThrowAnyException();
        fourEyes.recordWhenDisabled();
        verify(audit).record(eq(AuditType.FOUR_EYES_DISABLED), isNull(), isNull(), isNull(), isNull(), isNull(), isNull(),
                contains("node node-a"));
    }

    @Test
    void turnedOnNothingIsWrittenAtStart() {
        rule(true).recordWhenDisabled();
        verify(audit, never()).record(any(), any(), any(), any(), any(), any(), any(), anyString());
    }
}
