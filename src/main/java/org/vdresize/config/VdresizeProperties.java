package org.vdresize.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything under {@code vdresize.*}.
 *
 * @param hosts   the libvirt hosts; default one host "local" at qemu:///system
 * @param storage the storage step's settings
 * @param limits  the resize rules' limits
 */
@ConfigurationProperties("vdresize")
public record VdresizeProperties(
        @DefaultValue List<Host> hosts,
        @DefaultValue Storage storage,
        @DefaultValue Limits limits,
        @DefaultValue Approval approval,
        @DefaultValue Demo demo) {

    public VdresizeProperties {
        hosts = (hosts == null || hosts.isEmpty()) ? List.of(new Host("local", "qemu:///system", null)) : List.copyOf(hosts);
    }

    /**
     * @param ownsPools pools whose storage step runs on this host (the "SPM" of oVirt); empty: any
     *                  host where the pool is active
     */
    public record Host(String name, String uri, List<String> ownsPools) {
        public Host {
            ownsPools = ownsPools == null ? List.of() : List.copyOf(ownsPools);
        }
    }

    /**
     * @param pollInterval  how long the process waits between two checks of a running storage job
     * @param maxWait       a storage job still running after this long has timed out
     * @param threads       how many storage jobs run at once on this node
     * @param heartbeat     how often a node writes the heartbeat of the storage jobs it runs
     * @param lostAfter     a running storage job whose node has written no heartbeat for this long
     *                      is lost: the next check re-derives it from the volume and, if unfinished,
     *                      runs it again on the checking node (docs/cluster.md)
     */
    public record Storage(@DefaultValue("PT1S") Duration pollInterval,
                          @DefaultValue("PT30M") Duration maxWait,
                          @DefaultValue("4") int threads,
                          @DefaultValue("PT5S") Duration heartbeat,
                          @DefaultValue("PT15S") Duration lostAfter) {

        @ConstructorBinding
        public Storage {
            if (heartbeat == null || heartbeat.isZero() || heartbeat.isNegative()) {
                heartbeat = Duration.ofSeconds(5);
            }
            if (lostAfter == null || lostAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
                // a single late heartbeat must not make a healthy node's job look lost
                lostAfter = heartbeat.multipliedBy(3);
            }
        }

        public Storage(Duration pollInterval, Duration maxWait, int threads) {
            this(pollInterval, maxWait, threads, Duration.ofSeconds(5), Duration.ofSeconds(15));
        }
    }

    /**
     * @param maxDiskSize           a larger target is refused with SIZE_LIMIT (bytes)
     * @param thinOvercommitRatio   thin volumes: the pool's volumes' capacities after the growth may
     *                              reach this multiple of the pool's capacity; 0 turns the check off
     */
    public record Limits(@DefaultValue("17592186044416") long maxDiskSize,
                         @DefaultValue("0") double thinOvercommitRatio) {
    }

    /**
     * A growth above either threshold waits for a person of the group disk-approvers; 0 turns a
     * threshold off.
     *
     * @param growthBytes   growth (new size minus old size) above this many bytes
     * @param growthPercent growth above this percentage of the old size
     * @param fourEyes      the user who requested a resize may neither claim nor complete its approval
     *                      task, whatever their groups; {@code false} turns that off (written to the
     *                      audit trail at each start, FOUR_EYES_DISABLED)
     */
    public record Approval(@DefaultValue("1099511627776") long growthBytes, @DefaultValue("0") double growthPercent,
                           @DefaultValue("true") boolean fourEyes) {

        @ConstructorBinding
        public Approval {
        }

        public Approval(long growthBytes, double growthPercent) {
            this(growthBytes, growthPercent, true);
        }
    }

    /**
     * @param createUser on an empty database create the demo users, whose passwords are their names
     *                   (DemoUserPlugin); for the demo only (scripts/run.sh sets it)
     */
    public record Demo(@DefaultValue("false") boolean createUser) {
    }
}
