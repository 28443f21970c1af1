package org.vdresize.inventory;

import java.util.List;
import org.springframework.stereotype.Service;

@Service
public class InventoryService {

    /** Every disk of every VM on every host and every volume of every active pool, joined by path. */
    public List<DiskView> disks() {
        throw new IllegalStateException("being written");
    }

    public List<HostStatus> hosts() {
        throw new IllegalStateException("being written");
    }
}
