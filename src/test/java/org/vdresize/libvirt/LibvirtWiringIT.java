package org.vdresize.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.vdresize.config.VdresizeProperties;
import org.vdresize.inventory.InventoryPort;
import org.vdresize.storage.StoragePort;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.vm.HypervisorPort;

/**
 * The adapters as Spring wires them (only this package and the actuator's health endpoint, not the
 * whole application): ports are beans, configuration comes from {@code vdresize.hosts}, and a down
 * host leaves the application's health UP while the {@code libvirt} component shows it.
 */
class LibvirtWiringIT {

    @Configuration
    @EnableConfigurationProperties(VdresizeProperties.class)
    @Import({LibvirtExecutors.class, LibvirtHosts.class, LibvirtInventory.class, LibvirtStorage.class,
            LibvirtHypervisor.class, LibvirtHealthIndicator.class})
    static class Adapters {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class,
                    HealthEndpointAutoConfiguration.class))
            .withUserConfiguration(Adapters.class)
            .withPropertyValues(
                    "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=" + LibvirtFixture.URI,
                    "vdresize.hosts[1].name=down", "vdresize.hosts[1].uri=qemu+unix:///system?socket=/nonexistent/sock",
                    "management.endpoint.health.show-details=always");

    @Test
    void portsAreBeansAndADownHostKeepsHealthUp() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(InventoryPort.class).hasSingleBean(StoragePort.class)
                    .hasSingleBean(HypervisorPort.class);
            assertThat(context.getBean(InventoryPort.class).hosts()).extracting(h -> h.name() + "=" + h.available())
                    .containsExactly("local=true", "down=false");

            HealthComponent health = context.getBean(HealthEndpoint.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            Health libvirt = (Health) ((CompositeHealth) health).getComponents().get("libvirt");
            assertThat(libvirt.getStatus()).isEqualTo(Status.UNKNOWN);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> hosts = (List<Map<String, Object>>) libvirt.getDetails().get("hosts");
            assertThat(hosts).extracting(h -> h.get("name") + "=" + h.get("available"))
                    .containsExactly("local=true", "down=false");
        });
    }
}
