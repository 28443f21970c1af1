package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.libvirt.DomainStates.fold;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vdresize.inventory.VmState;

/** The folding of libvirt's state, reason and job into VmState (libvirt's enum values as numbers). */
class DomainStatesTest {

    @ParameterizedTest(name = "state {0} reason {1} job {2} -> {3}")
    @CsvSource({
        // running: booted, unpaused, migrated in (done); post-copy; with a migration/save/snapshot job
        "1, 1, -1, RUNNING",
        "1, 5, -1, RUNNING",
        "1, 2, -1, RUNNING",
        "2, 0, -1, RUNNING",
        "1, 10, -1, MIGRATING",
        "1, 11, -1, MIGRATING",
        "1, 1, 5, MIGRATING",
        "1, 1, 4, MIGRATING",
        "1, 1, 2, SAVING_OR_RESTORING",
        "1, 1, 6, SAVING_OR_RESTORING",
        "1, 1, 8, SAVING_OR_RESTORING",
        "1, 1, 1, STARTING",
        "1, 1, 9, RUNNING",
        "1, 1, 0, RUNNING",
        "1, 1, -2, UNKNOWN",
        // paused: by whom and why
        "3, 1, -1, PAUSED",
        "3, 0, -1, PAUSED",
        "3, 6, -1, PAUSED",
        "3, 14, -1, PAUSED",
        "3, 5, -1, PAUSED_IO_ERROR",
        "3, 2, -1, MIGRATING",
        "3, 12, -1, MIGRATING",
        "3, 13, -1, MIGRATING",
        "3, 11, -1, STARTING",
        "3, 3, -1, SAVING_OR_RESTORING",
        "3, 4, -1, SAVING_OR_RESTORING",
        "3, 7, -1, SAVING_OR_RESTORING",
        "3, 9, -1, SAVING_OR_RESTORING",
        "3, 8, -1, SHUTTING_DOWN",
        "3, 10, -1, CRASHED",
        // without a reason a pause could be an I/O error: not allowed blindly
        "3, -1, -1, UNKNOWN",
        "4, 1, -1, SHUTTING_DOWN",
        "5, 2, -1, SHUT_OFF",
        "5, 4, -1, SHUT_OFF",
        "6, 0, -1, CRASHED",
        "7, 0, -1, UNKNOWN",
        "0, 0, -1, UNKNOWN",
        "42, 0, -1, UNKNOWN"
    })
    void folds(int state, int reason, int job, VmState expected) {
        assertThat(fold(state, reason, job)).isEqualTo(expected);
    }
}
