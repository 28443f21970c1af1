package org.vdresize.api;

import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.vdresize.inventory.DiskView;
import org.vdresize.inventory.HostStatus;
import org.vdresize.inventory.InventoryService;

/** What can be resized, read live from the hypervisors (api-contract.md, "Inventory and audit"). */
@RestController
@RequestMapping(path = "/api", produces = MediaType.APPLICATION_JSON_VALUE)
public class DiskController {

    private final InventoryService inventoryService;

    public DiskController(InventoryService inventoryService) {
        this.inventoryService = inventoryService;
    }

    @GetMapping("/disks")
    public List<DiskView> disks() {
        return inventoryService.disks();
    }

    /** Not in the contract: which configured libvirt hosts answer right now. */
    @GetMapping("/hosts")
    public List<HostStatus> hosts() {
        return inventoryService.hosts();
    }
}
