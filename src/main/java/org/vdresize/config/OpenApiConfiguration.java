package org.vdresize.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.boot.info.BuildProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of /api/** ({@code /v3/api-docs}, browsable at {@code /swagger-ui.html}).
 * The description and the UI are served without credentials: they hold nothing that the repository's
 * docs/api-contract.md does not; every operation they describe needs HTTP Basic, which the UI's
 * "Authorize" button sends. Which paths are described: {@code springdoc.paths-to-match} in application.yml.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static final String BASIC_AUTH = "basicAuth";

    @Bean
    OpenAPI vdresizeOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        return new OpenAPI()
                .info(new Info()
                        .title("vdresize API")
                        .version(properties != null ? properties.getVersion() : "dev")
                        .description("Grow the virtual disks of running VMs over libvirt and QEMU. Every resize is a "
                                + "Camunda process (virtual-disk-resize): start it here, follow it here or in Cockpit, "
                                + "approve it or resolve it in Tasklist. Sizes are bytes (a JSON integer) or strings "
                                + "such as \"20G\" or \"+512M\". Errors are application/problem+json with a `code`. "
                                + "The contract is docs/api-contract.md in the vdresize repository; operators start "
                                + "with docs/operator-guide.md."))
                .components(new Components().addSecuritySchemes(BASIC_AUTH, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("basic")
                        .description("A Camunda user (the same users as Cockpit and Tasklist)")))
                .addSecurityItem(new SecurityRequirement().addList(BASIC_AUTH));
    }
}
