package org.vdresize.libvirt;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.vdresize.config.VdresizeProperties;
import org.vdresize.testsupport.TestExecutors;

/** Builds the adapters the way Spring would, from {@code vdresize.hosts[i].*} properties. */
final class LibvirtTestSupport {

    private LibvirtTestSupport() {
    }

    /** As Spring builds it, with executors shaped like the application's. */
    static LibvirtHosts hosts(VdresizeProperties properties) {
        return new LibvirtHosts(properties, TestExecutors.LIBVIRT_CONNECTOR, TestExecutors.LIBVIRT_CLOSER);
    }

    /** @param connectWait the longest a call waits for a host to answer a new connection */
    static LibvirtHosts hosts(VdresizeProperties properties, java.time.Duration connectWait) {
        return new LibvirtHosts(properties, connectWait, TestExecutors.LIBVIRT_CONNECTOR, TestExecutors.LIBVIRT_CLOSER);
    }

    /** @param nameUriPairs host name, uri, host name, uri, ... */
    static VdresizeProperties properties(String... nameUriPairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameUriPairs.length / 2; i++) {
            map.put("vdresize.hosts[" + i + "].name", nameUriPairs[2 * i]);
            map.put("vdresize.hosts[" + i + "].uri", nameUriPairs[2 * i + 1]);
        }
        return bind(map);
    }

    /** Any {@code vdresize.*} properties, e.g. {@code vdresize.hosts[1].owns-pools[0]}. */
    static VdresizeProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("vdresize", VdresizeProperties.class);
    }
}
