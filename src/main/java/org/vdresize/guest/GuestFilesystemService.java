package org.vdresize.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.inventory.Vm;
import org.vdresize.inventory.VmDisk;

/**
 * Reads (never changes) how full the filesystems on a disk are inside the guest: the disk is found
 * by its serial as in the guest step, its filesystems by guest-get-fsinfo. Used by the watches.
 */
@Service
public class GuestFilesystemService {

    private static final int PING_TIMEOUT_S = 5;

    private final InventoryPort inventory;
    private final GuestAgentPort agentPort;
    private final ObjectMapper json;

    public GuestFilesystemService(InventoryPort inventory, GuestAgentPort agentPort, ObjectMapper json) {
        this.inventory = inventory;
        this.agentPort = agentPort;
        this.json = json;
    }

    /**
     * The guest's view of the disk at {@code diskPath} in the VM {@code vmUuid}.
     *
     * @throws GuestAgentUnavailableException the VM does not run, or no agent answers
     * @throws OperationFailedException the agent answered, but the disk cannot be told apart in the
     *                                  guest (no serial, or no device with it)
     */
    public GuestDiskUsage usage(String vmUuid, String diskPath) {
        Optional<Vm> found = inventory.findVm(vmUuid).filter(vm -> vm.state().isActive());
        if (found.isEmpty()) {
            throw new GuestAgentUnavailableException("the VM does not run", null);
        }
        Vm vm = found.get();
        VmDisk disk = vm.diskByPath(diskPath)
                .orElseThrow(() -> new OperationFailedException("VM " + vm.name() + " no longer uses " + diskPath));
        if (disk.serial() == null || disk.serial().isBlank()) {
            throw new OperationFailedException("disk " + disk.target() + " of VM " + vm.name()
                    + " has no <serial>: its device in the guest cannot be told apart safely");
        }
        GuestAgentClient agent = new GuestAgentClient(agentPort, json, vm.host(), vm.uuid());
        agent.ping(PING_TIMEOUT_S);
        String device = GuestNotifyService.findDevice(agent, disk.serial());
        if (device == null) {
            throw new OperationFailedException("the guest of " + vm.name() + " shows no disk with serial " + disk.serial());
        }
        long guestSize = GuestNotifyService.guestSize(agent, device);
        List<GuestFilesystem> filesystems = new ArrayList<>();
        for (JsonNode fs : agent.filesystems()) {
            String dev = GuestNotifyService.fsDevice(fs, device);
            if (dev != null) {
                filesystems.add(new GuestFilesystem(dev, fs.path("mountpoint").asText(), fs.path("type").asText(),
                        fs.path("total-bytes").asLong(), fs.path("used-bytes").asLong()));
            }
        }
        return new GuestDiskUsage(device, guestSize, filesystems);
    }
}
