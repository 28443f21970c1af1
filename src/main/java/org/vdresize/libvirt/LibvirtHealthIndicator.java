package org.vdresize.libvirt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;
import org.vdresize.inventory.HostStatus;

/**
 * The {@code libvirt} health component: every configured host with whether it answers. A host that
 * does not answer makes this component {@code UNKNOWN}, never {@code DOWN}: the application itself
 * works (it serves its API and resizes on the other hosts), and UNKNOWN ranks below UP, so the
 * overall status stays UP while the details show the host as unavailable. URIs are shown without
 * their user part and secrets ({@link org.vdresize.inventory.HostUri}), whoever asks. A host that is
 * the same libvirtd as one configured before it is not available, with {@code duplicateOf} naming that host.
 */
@Component("libvirtHealthIndicator") // the health component is named after the bean: "libvirt"
public class LibvirtHealthIndicator implements HealthIndicator {

    private final LibvirtHosts hosts;

    public LibvirtHealthIndicator(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public Health health() {
        // redacted for everyone: health answers end up in monitoring systems; the full URI is in GET /api/hosts
        List<HostStatus> statuses = hosts.statuses().stream().map(HostStatus::redacted).toList();
        List<Map<String, Object>> details = statuses.stream().map(LibvirtHealthIndicator::details).toList();
        Health.Builder builder = statuses.stream().allMatch(HostStatus::available) ? Health.up() : Health.unknown();
        return builder.withDetail("hosts", details).build();
    }

    private static Map<String, Object> details(HostStatus status) {
        Map<String, Object> map = new LinkedHashMap<>(); // keeps null errors, which Map.of refuses
        map.put("name", status.name());
        map.put("uri", status.uri());
        map.put("available", status.available());
        map.put("error", status.error());
        if (status.duplicateOf() != null) {
            map.put("duplicateOf", status.duplicateOf());
        }
        return map;
    }
}
