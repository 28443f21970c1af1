package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sizes as libvirt writes them, including the wrapped-around unsigned values it reports for a ramfs pool. */
class LibvirtXmlSizesTest {

    @Test
    void anAvailableSizeAbove2To63NeitherFailsTheInventoryNorPromisesSpace() {
        // pool-dumpxml of a dir pool on ramfs (seen by CrashRecoveryIT): capacity 0, available = 0 - allocation
        LibvirtXml.PoolDescription pool = LibvirtXml.pool("<pool type='dir'><name>p</name>"
                + "<capacity unit='bytes'>0</capacity><allocation unit='bytes'>16777216</allocation>"
                + "<available unit='bytes'>18446744073692774400</available><target><path>/r</path></target></pool>");

        assertThat(pool.capacity()).isZero();
        assertThat(pool.allocation()).isEqualTo(16777216L);
        // a wrapped-around 'available' is capacity - allocation, clamped at 0: no free space is promised
        assertThat(pool.available()).isZero();
    }
}
