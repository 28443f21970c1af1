package org.vdresize.guest;

/** What the guest step found in one VM (vdr_resize_guest.status and the API's {@code guest[].status}). */
public enum GuestStatus {
    /** the guest reports the new size */
    SEEN,
    /** the guest reports it after a SCSI rescan */
    RESCANNED,
    /** no guest agent answers */
    NO_AGENT,
    /** the agent answered, but something did not work */
    FAILED
}
