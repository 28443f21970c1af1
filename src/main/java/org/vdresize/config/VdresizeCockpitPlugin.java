package org.vdresize.config;

import java.util.Set;
import org.camunda.bpm.cockpit.plugin.spi.impl.AbstractCockpitPlugin;

/**
 * vdresize's Cockpit plugin: the "Disk resize" tab of a resize's process instance and the "Disk
 * resizes" dashboard. Found by Camunda through META-INF/services; Cockpit loads
 * {@code plugin-webapp/vdresize/app/plugin.js} (and {@code plugin.css}), the only two assets Camunda
 * 7.24 serves for a plugin, through {@link VdresizeCockpitPluginRootResource}. It has no other server
 * side: the page reads vdresize's /api with the
 * user's webapp session ({@link WebappSessionAuthenticationFilter}), so it shows exactly
 * what the user's role may read there.
 */
public class VdresizeCockpitPlugin extends AbstractCockpitPlugin {

    public static final String ID = "vdresize";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Set<Class<?>> getResourceClasses() {
        return Set.of(VdresizeCockpitPluginRootResource.class);
    }
}
