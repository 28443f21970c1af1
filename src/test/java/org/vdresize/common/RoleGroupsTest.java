package org.vdresize.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.engine.authorization.Groups;
import org.junit.jupiter.api.Test;

class RoleGroupsTest {

    @Test
    void administratorsAreCamundasOwnAdministratorGroup() {
        assertThat(RoleGroups.ADMINS).isEqualTo(Groups.CAMUNDA_ADMIN);
    }

    @Test
    void aGroupsAuthorityIsItsIdAfterThePrefix() {
        assertThat(RoleGroups.authority(RoleGroups.ADMINS)).isEqualTo("GROUP_camunda-admin");
    }
}
