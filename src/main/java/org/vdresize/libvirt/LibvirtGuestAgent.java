package org.vdresize.libvirt;

import java.util.Set;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.springframework.stereotype.Component;
import org.vdresize.guest.GuestAgentPort;
import org.vdresize.guest.GuestAgentUnavailableException;

/** virDomainQemuAgentCommand on the domain, by UUID, on the host it runs on. */
@Component
public class LibvirtGuestAgent implements GuestAgentPort {

    /** "guest agent is not connected" is an invalid-operation error; unresponsive/unsynced are their own */
    private static final Set<ErrorNumber> NO_AGENT = Set.of(ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE,
            ErrorNumber.VIR_ERR_AGENT_UNSYNCED);

    private final LibvirtHosts hosts;

    public LibvirtGuestAgent(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public String command(String host, String vmUuid, String json, int timeoutSeconds) {
        // a guest command may have effects (exec, file write): never repeated on a new connection
        return hosts.write(host, "guest agent command of VM " + vmUuid, c -> {
            Domain domain = c.domainLookupByUUIDString(vmUuid);
            try {
                return domain.qemuAgentCommand(json, timeoutSeconds, 0);
            } catch (LibvirtException e) {
                if (isNoAgent(e)) {
                    throw new GuestAgentUnavailableException(LibvirtErrors.message(e), e);
                }
                throw e;
            } finally {
                Handles.free(domain);
            }
        });
    }

    private static boolean isNoAgent(LibvirtException e) {
        if (e.getError() == null) {
            return false;
        }
        String message = LibvirtErrors.message(e);
        return NO_AGENT.contains(e.getError().getCode())
                || message.contains("agent is not connected") || message.contains("agent is not configured")
                || message.contains("agent didn't respond") || message.contains("agent not available");
    }
}
