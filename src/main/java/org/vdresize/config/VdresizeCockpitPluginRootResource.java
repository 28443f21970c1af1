package org.vdresize.config;

import jakarta.ws.rs.Path;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginRootResource;

/**
 * Serves the plugin's {@code app/plugin.js} and {@code app/plugin.css} under
 * {@code /camunda/api/cockpit/plugin/vdresize/static/}: Camunda serves a plugin's assets only
 * through its own root resource. It offers nothing else; the data comes from /api.
 */
@Path("plugin/" + VdresizeCockpitPlugin.ID)
public class VdresizeCockpitPluginRootResource extends AbstractCockpitPluginRootResource {

    public VdresizeCockpitPluginRootResource() {
        super(VdresizeCockpitPlugin.ID);
    }
}
