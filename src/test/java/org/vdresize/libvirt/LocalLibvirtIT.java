package org.vdresize.libvirt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * The adapter integration tests' common ground: a fixture of this test class's own (pool, images,
 * domains on qemu:///system, removed afterwards) and one configured host "local" on it. A subclass's
 * own {@code @BeforeAll} runs after this one's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LocalLibvirtIT {

    protected LibvirtFixture lv;
    protected LibvirtHosts hosts;

    @BeforeAll
    void openLocalLibvirt() {
        lv = LibvirtFixture.create();
        hosts = LibvirtTestSupport.hosts(LibvirtTestSupport.properties("local", LibvirtFixture.URI));
    }

    @AfterAll
    void closeLocalLibvirt() {
        if (hosts != null) {
            hosts.close();
        }
        if (lv != null) {
            lv.close();
        }
    }
}
