package org.vdresize.guest;

/** The QEMU guest agent of a running domain, one JSON command at a time. */
public interface GuestAgentPort {

    /**
     * Sends one guest agent command (QMP JSON such as {"execute":"guest-ping"}) and returns the
     * agent's whole JSON reply.
     *
     * @throws GuestAgentUnavailableException no agent is connected, or it did not answer in time
     * @throws org.vdresize.common.OperationFailedException the agent answered with an error
     */
    String command(String host, String vmUuid, String json, int timeoutSeconds);
}
