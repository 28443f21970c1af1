package org.vdresize.config;

import java.util.List;
import org.springframework.security.core.AuthenticatedPrincipal;

/** Who an /api request runs as: a Camunda identity-service user with its groups and tenants. */
public record CamundaUser(String id, List<String> groups, List<String> tenants) implements AuthenticatedPrincipal {

    public CamundaUser {
        groups = List.copyOf(groups);
        tenants = List.copyOf(tenants);
    }

    @Override
    public String getName() {
        return id;
    }
}
