package org.vdresize.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.vdresize.common.Page;
import org.vdresize.inventory.DiskView;
import org.vdresize.inventory.HostStatus;

class DiskControllerTest extends ApiSliceTest {

    @Test
    void disksCarryTheContractsFields() throws Exception {
        when(inventoryService.disks(null, 100)).thenReturn(new Page<>(List.of(
                new DiskView("/var/lib/libvirt/images/d1.qcow2", "default", "d1.qcow2", "local", "qcow2",
                        1073741824L, 200704L, false, false, false,
                        List.of(new DiskView.VmUse("vm1", "local", "running", "vdb", "virtio")), true, null, null),
                new DiskView("/dev/sr0", null, null, "local", "raw", null, null, false, true, false,
                        List.of(new DiskView.VmUse("vm1", "local", "running", "sda", "sata")), false,
                        "READ_ONLY_DISK", "cdrom")), null));

        mvc.perform(get("/api/disks").with(demo()))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$[0].path").value("/var/lib/libvirt/images/d1.qcow2"))
                .andExpect(jsonPath("$[0].pool").value("default"))
                .andExpect(jsonPath("$[0].volume").value("d1.qcow2"))
                .andExpect(jsonPath("$[0].format").value("qcow2"))
                .andExpect(jsonPath("$[0].capacity").value(1073741824L))
                .andExpect(jsonPath("$[0].allocation").value(200704))
                .andExpect(jsonPath("$[0].preallocated").value(false))
                .andExpect(jsonPath("$[0].readOnly").value(false))
                .andExpect(jsonPath("$[0].shareable").value(false))
                .andExpect(jsonPath("$[0].vms[0].name").value("vm1"))
                .andExpect(jsonPath("$[0].vms[0].host").value("local"))
                .andExpect(jsonPath("$[0].vms[0].state").value("running"))
                .andExpect(jsonPath("$[0].vms[0].target").value("vdb"))
                .andExpect(jsonPath("$[0].vms[0].bus").value("virtio"))
                .andExpect(jsonPath("$[0].resizable").value(true))
                // null is written, not left out: clients read notResizableBecause on every disk
                .andExpect(jsonPath("$[0].notResizableBecause").value(org.hamcrest.Matchers.nullValue()))
                .andExpect(jsonPath("$[0]", org.hamcrest.Matchers.hasKey("notResizableBecause")))
                .andExpect(jsonPath("$[1].resizable").value(false))
                .andExpect(jsonPath("$[1].notResizableBecause").value("READ_ONLY_DISK"));
    }

    @Test
    void aFullPageLinksToTheNextWhoseCursorIsTheLastPath() throws Exception {
        when(inventoryService.disks(null, 1)).thenReturn(new Page<>(List.of(disk("/p/a b.img")), "/p/a b.img"));
        when(inventoryService.disks("/p/a b.img", 1)).thenReturn(new Page<>(List.of(disk("/p/c.img")), null));

        String link = mvc.perform(get("/api/disks").with(demo()).param("limit", "1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].path").value("/p/a b.img"))
                .andReturn().getResponse().getHeader("Link");
        assertThat(link).matches("</api/disks\\?limit=1&cursor=[A-Za-z0-9_-]+>; rel=\"next\"");

        mvc.perform(get(java.net.URI.create(link.substring(1, link.indexOf('>')))).with(demo()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].path").value("/p/c.img"))
                .andExpect(header().doesNotExist("Link"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "x"})
    void aBadLimitIs400(String limit) throws Exception {
        mvc.perform(get("/api/disks").with(demo()).param("limit", limit))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
        verify(inventoryService, never()).disks(any(), anyInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"%%%", "ZGlza3M", "cmVzaXplcwAvcC9hLmltZw"})
    void aBadCursorIs400(String cursor) throws Exception {
        // not base64url; no path; a resizes cursor
        mvc.perform(get("/api/disks").with(demo()).param("cursor", cursor))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("INVALID_REQUEST"));
        verify(inventoryService, never()).disks(any(), anyInt());
    }

    private static DiskView disk(String path) {
        return new DiskView(path, "p", path.substring(3), "local", "raw", 1L, 1L, false, false, false, List.of(), true,
                null, null);
    }

    @Test
    void hostsShowWhichAnswer() throws Exception {
        when(inventoryService.hosts()).thenReturn(List.of(new HostStatus("local", "qemu:///system", true, null),
                new HostStatus("kvm2", "qemu+ssh://kvm2/system", false, "connection refused")));
        mvc.perform(get("/api/hosts").with(demo()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].available").value(true))
                .andExpect(jsonPath("$[1].name").value("kvm2"))
                .andExpect(jsonPath("$[1].available").value(false));
    }

    @Test
    void aHostThatIsTheSameLibvirtdAsAnEarlierOneNamesItForEveryRole() throws Exception {
        String error = "same libvirtd as host local (host UUID 545bc96d-f9f2-40b2-8ee2-458a0815009f): its VMs and volumes "
                + "are used through local only; configure each hypervisor once (docs/hosts.md)";
        when(inventoryService.hosts()).thenReturn(List.of(new HostStatus("local", "qemu:///system", true, null),
                new HostStatus("again", "qemu+ssh://root@kvm1/system?keyfile=/etc/vdr/id", false, error, "local")));

        mvc.perform(get("/api/hosts").with(demo()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].duplicateOf").value(nullValue()))
                .andExpect(jsonPath("$[1].available").value(false))
                .andExpect(jsonPath("$[1].duplicateOf").value("local"))
                .andExpect(jsonPath("$[1].error").value(error));
        mvc.perform(get("/api/hosts").with(user("someone").authorities(new SimpleGrantedAuthority("GROUP_auditors"))))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[1].duplicateOf").value("local"))
                .andExpect(jsonPath("$[1].uri").value("qemu+ssh://kvm1/system?keyfile=***"))
                .andExpect(jsonPath("$[1].error").value(error));
    }

    @Test
    void aHostUrisUserAndSecretsAreForCamundaAdminOnly() throws Exception {
        String uri = "qemu+ssh://root@kvm7/system?keyfile=/etc/vdr/id_kvm7&no_tty=1";
        when(inventoryService.hosts()).thenReturn(List.of(new HostStatus("kvm7", uri, false,
                "Cannot recv data: root@kvm7: Permission denied (publickey)")));

        mvc.perform(get("/api/hosts").with(demo()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].uri").value(uri));
        for (String group : List.of("disk-operators", "disk-approvers", "auditors")) {
            mvc.perform(get("/api/hosts").with(user("someone").authorities(new SimpleGrantedAuthority("GROUP_" + group))))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$[0].name").value("kvm7"))
                    .andExpect(jsonPath("$[0].uri").value("qemu+ssh://kvm7/system?keyfile=***&no_tty=1"))
                    .andExpect(jsonPath("$[0].error").value("Cannot recv data: kvm7: Permission denied (publickey)"))
                    .andExpect(content().string(not(containsString("root"))))
                    .andExpect(content().string(not(containsString("id_kvm7"))));
        }
    }
}
