package org.vdresize.common;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** This application node's name: host, pid and a random part, so a restarted node is a new node. */
@Component
public class NodeIdentity {

    private final String id;

    public NodeIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        this.id = host + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }
}
