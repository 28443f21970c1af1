package org.vdresize.bench;

import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.LibvirtException;

/**
 * The floor for one resize in a JVM: bare libvirt-java {@code blockResize} + {@code blockInfo}
 * on an open connection and a looked-up domain, nothing else. The benchmark calls
 * {@link #measure}; {@code main} runs it alone:
 * <pre>java -cp target/test-classes:$(cat target/bench/classpath.txt) org.vdresize.bench.LibvirtBlockResizeBench DOMAIN TARGET [RUNS]</pre>
 */
public final class LibvirtBlockResizeBench {

    private LibvirtBlockResizeBench() {
    }

    /** Grows the disk by 1 MiB per run; returns the milliseconds of each run (blockResize + blockInfo). */
    static List<Double> measure(Connect conn, String domain, String target, int warmup, int runs) throws LibvirtException {
        Domain d = conn.domainLookupByName(domain);
        try {
            long capacity = d.blockInfo(target).getCapacity();
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < warmup + runs; i++) {
                capacity += BenchLibvirt.MIB;
                long t0 = System.nanoTime();
                d.blockResize(target, capacity, Domain.BlockResizeFlags.BYTES);
                DomainBlockInfo info = d.blockInfo(target);
                long t1 = System.nanoTime();
                if (info.getCapacity() != capacity) {
                    throw new IllegalStateException("capacity " + info.getCapacity() + " after a resize to " + capacity);
                }
                if (i >= warmup) {
                    ms.add((t1 - t0) / 1e6);
                }
            }
            return ms;
        } finally {
            d.free();
        }
    }

    public static void main(String[] args) throws LibvirtException {
        if (args.length < 2) {
            System.err.println("usage: LibvirtBlockResizeBench DOMAIN TARGET [RUNS]");
            System.exit(2);
        }
        Connect conn = new Connect(BenchLibvirt.URI, false);
        try {
            List<Double> ms = measure(conn, args[0], args[1], 3, args.length > 2 ? Integer.parseInt(args[2]) : 30);
            System.out.printf("libvirt blockResize+blockInfo: p50 %.2f ms, p95 %.2f ms over %d runs%n",
                    Stats.percentile(ms, 50), Stats.percentile(ms, 95), ms.size());
        } finally {
            conn.close();
        }
    }
}
