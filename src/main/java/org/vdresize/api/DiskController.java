package org.vdresize.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
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
@Tag(name = "Inventory", description = "What can be resized, read live from libvirt")
public class DiskController {

    private final InventoryService inventoryService;

    public DiskController(InventoryService inventoryService) {
        this.inventoryService = inventoryService;
    }

    @GetMapping("/disks")
    @Operation(summary = "List disks", description = "Every disk of every VM on every configured host and every volume "
            + "of every active pool, with whether it can be resized and, if not, why (a contract error code). "
            + "A host that is down is left out; GET /api/hosts tells which.")
    public List<DiskView> disks() {
        return inventoryService.disks();
    }

    /** Not in the contract: which configured libvirt hosts answer right now. */
    @GetMapping("/hosts")
    @Operation(summary = "List libvirt hosts", description = "The configured hosts and whether each answers now.")
    public List<HostStatus> hosts() {
        return inventoryService.hosts();
    }
}
