package org.vdresize.libvirt;

import java.util.Locale;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.DomainBlockJobInfo;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.vdresize.common.NotFoundException;
import org.vdresize.common.OperationFailedException;
import org.vdresize.vm.BlockInfo;
import org.vdresize.vm.BlockJob;
import org.vdresize.vm.HypervisorPort;

/** Block size queries and block resize on a domain, looked up by UUID on the named host. */
@Component
public class LibvirtHypervisor implements HypervisorPort {

    private static final Logger log = LoggerFactory.getLogger(LibvirtHypervisor.class);

    @FunctionalInterface
    private interface DomainCall<T> {
        T call(Domain domain) throws LibvirtException;
    }

    private final LibvirtHosts hosts;

    public LibvirtHypervisor(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public BlockInfo blockInfo(String host, String vmUuid, String target) {
        String what = "block info of " + target + " of VM " + vmUuid;
        return hosts.read(host, what, c -> withDomain(c, vmUuid, target, d -> toBlockInfo(d.blockInfo(target))));
    }

    @Override
    public void blockResize(String host, String vmUuid, String target, long bytes) {
        String what = "block resize of " + target + " of VM " + vmUuid + " to " + bytes + " bytes";
        hosts.write(host, what, c -> withDomain(c, vmUuid, target, d -> {
            // QEMU shrinks a raw disk without a word: never let a smaller size through
            long capacity = d.blockInfo(target).getCapacity();
            if (bytes < capacity) {
                throw new OperationFailedException(what + " refused: the disk has " + capacity
                        + " bytes, this would shrink it");
            }
            if (bytes == capacity) {
                log.info("{}: already at that capacity", what);
                return null;
            }
            long started = System.nanoTime();
            d.blockResize(target, bytes, Domain.BlockResizeFlags.BYTES);
            log.info("{} done in {} ms", what, (System.nanoTime() - started) / 1_000_000);
            return null;
        }));
    }

    /** blockInfo, blockResize and blockInfo again on one domain lookup (the VM step's round trips). */
    @Override
    public Growth grow(String host, String vmUuid, String target, long bytes) {
        String what = "block resize of " + target + " of VM " + vmUuid + " to " + bytes + " bytes";
        return hosts.write(host, what, c -> withDomain(c, vmUuid, target, d -> {
            long before = d.blockInfo(target).getCapacity();
            if (before >= bytes) {
                return new Growth(before, before); // never shrink: QEMU would shrink a raw disk without a word
            }
            long started = System.nanoTime();
            d.blockResize(target, bytes, Domain.BlockResizeFlags.BYTES);
            log.info("{} done in {} ms", what, (System.nanoTime() - started) / 1_000_000);
            return new Growth(before, d.blockInfo(target).getCapacity());
        }));
    }

    @Override
    public Optional<BlockJob> blockJob(String host, String vmUuid, String target) {
        String what = "block job of " + target + " of VM " + vmUuid;
        // bandwidth in bytes/s rather than MiB/s; the struct stays zeroed (type UNKNOWN) when no job runs
        return hosts.read(host, what, c -> withDomain(c, vmUuid, target,
                d -> toBlockJob(d.getBlockJobInfo(target, Domain.BlockJobInfoFlags.BANDWIDTH_BYTES))));
    }

    static Optional<BlockJob> toBlockJob(DomainBlockJobInfo info) {
        if (info == null || info.type == Domain.BlockJobType.UNKNOWN) {
            return Optional.empty();
        }
        return Optional.of(new BlockJob(kind(info.type), info.cur, info.end));
    }

    private static BlockJob.Kind kind(int type) {
        if (type == Domain.BlockJobType.PULL) {
            return BlockJob.Kind.PULL;
        }
        if (type == Domain.BlockJobType.COPY) {
            return BlockJob.Kind.COPY;
        }
        if (type == Domain.BlockJobType.COMMIT) {
            return BlockJob.Kind.COMMIT;
        }
        if (type == Domain.BlockJobType.ACTIVE_COMMIT) {
            return BlockJob.Kind.ACTIVE_COMMIT;
        }
        if (type == Domain.BlockJobType.BACKUP) {
            return BlockJob.Kind.BACKUP;
        }
        return BlockJob.Kind.OTHER;
    }

    private static BlockInfo toBlockInfo(DomainBlockInfo info) {
        return new BlockInfo(info.getCapacity(), info.getAllocation(), info.getPhysical());
    }

    private static <T> T withDomain(Connect c, String uuid, String target, DomainCall<T> call) throws LibvirtException {
        Domain domain = c.domainLookupByUUIDString(uuid);
        try {
            return call.call(domain);
        } catch (LibvirtException e) {
            if (isUnknownDisk(e)) {
                throw new NotFoundException("VM " + uuid + " has no disk " + target + ": " + LibvirtErrors.message(e));
            }
            throw e;
        } finally {
            Handles.free(domain);
        }
    }

    /** libvirt reports an unknown disk target as an invalid argument; only its text says which. */
    private static boolean isUnknownDisk(LibvirtException e) {
        if (e.getError() == null || e.getError().getCode() != ErrorNumber.VIR_ERR_INVALID_ARG) {
            return false;
        }
        String message = LibvirtErrors.message(e).toLowerCase(Locale.ROOT);
        return message.contains("not assigned to domain") || message.contains("not found in the domain")
                || message.contains("no disk with");
    }
}
