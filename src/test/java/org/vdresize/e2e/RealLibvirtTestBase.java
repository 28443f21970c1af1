package org.vdresize.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.vdresize.testsupport.LibvirtFixture;

/**
 * For ITs of the whole application on a random port against the real libvirtd of qemu:///system:
 * one {@link LibvirtFixture} for the test class (what it made is removed after the class), and the
 * API as the demo user (password = name, vdresize.demo.create-user=true).
 */
abstract class RealLibvirtTestBase {

    static LibvirtFixture lv;

    @LocalServerPort int port;
    ApiClient api;

    @BeforeAll
    static void createLibvirtFixture() {
        lv = LibvirtFixture.create();
    }

    @AfterAll
    static void closeLibvirtFixture() {
        if (lv != null) {
            lv.close();
            lv = null;
        }
    }

    @BeforeEach
    void demoClient() {
        api = new ApiClient(port, "demo", "demo");
    }
}
