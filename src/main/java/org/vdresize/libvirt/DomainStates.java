package org.vdresize.libvirt;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import com.sun.jna.ptr.IntByReference;
import java.lang.reflect.Field;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vdresize.inventory.VmState;

/**
 * A domain's state and the reason for it, folded into {@link VmState}.
 *
 * <p>libvirt-java 0.5.4 only exposes {@code virDomainGetInfo}, whose state has no reason, yet the
 * reason is what tells a user pause from a pause on an I/O error or for a migration. So
 * {@code virDomainGetState} is bound here through JNA (the same libvirt C library libvirt-java
 * loads) and called with the domain's native pointer, read from libvirt-java's {@code Domain.vdp}
 * field. Should that ever be impossible (another libvirt-java version), the state comes from
 * {@code getInfo()} and a paused domain becomes {@link VmState#UNKNOWN}: without the reason it could be
 * an I/O error pause, and an unknown state refuses the resize instead of allowing it blindly.
 *
 * <p>An outgoing live migration leaves the domain {@code running}; only its job tells. So for a
 * running domain the current job's {@code operation} ({@code virDomainGetJobStats}) is read too.
 */
final class DomainStates {

    private static final Logger log = LoggerFactory.getLogger(DomainStates.class);

    // virDomainState
    static final int NOSTATE = 0, RUNNING = 1, BLOCKED = 2, PAUSED = 3, SHUTDOWN = 4, SHUTOFF = 5, CRASHED = 6,
            PMSUSPENDED = 7;
    // virDomainRunningReason
    static final int RUNNING_POSTCOPY = 10, RUNNING_POSTCOPY_FAILED = 11;
    // virDomainPausedReason
    static final int PAUSED_UNKNOWN = 0, PAUSED_USER = 1, PAUSED_MIGRATION = 2, PAUSED_SAVE = 3, PAUSED_DUMP = 4,
            PAUSED_IOERROR = 5, PAUSED_WATCHDOG = 6, PAUSED_FROM_SNAPSHOT = 7, PAUSED_SHUTTING_DOWN = 8,
            PAUSED_SNAPSHOT = 9, PAUSED_CRASHED = 10, PAUSED_STARTING_UP = 11, PAUSED_POSTCOPY = 12,
            PAUSED_POSTCOPY_FAILED = 13;
    // virDomainJobOperation
    static final int JOB_UNREADABLE = -2, JOB_NONE = -1, JOB_START = 1, JOB_SAVE = 2, JOB_RESTORE = 3, JOB_MIGRATION_IN = 4,
            JOB_MIGRATION_OUT = 5, JOB_SNAPSHOT = 6, JOB_SNAPSHOT_REVERT = 7, JOB_DUMP = 8;
    /** The reason could not be read (no virDomainGetState). */
    static final int REASON_NOT_AVAILABLE = -1;

    /** A libvirt state with its reason, as virDomainGetState returns them. */
    record Raw(int state, int reason) {
    }

    interface StateApi extends com.sun.jna.Library {
        int virDomainGetState(Pointer domain, IntByReference state, IntByReference reason, int flags);
    }

    private static final StateApi API = loadApi();
    private static final Field DOMAIN_POINTER = domainPointerField();

    private DomainStates() {
    }

    /** The folded state of a domain: one round trip, two when it runs (its job is read). */
    static VmState read(Domain domain) throws LibvirtException {
        Raw raw = readRaw(domain);
        int operation = JOB_NONE;
        if (raw.state() == RUNNING || raw.state() == BLOCKED) {
            operation = jobOperation(domain);
        }
        return fold(raw.state(), raw.reason(), operation);
    }

    static Raw readRaw(Domain domain) throws LibvirtException {
        Pointer pointer = nativePointer(domain);
        if (pointer != null) {
            IntByReference state = new IntByReference();
            IntByReference reason = new IntByReference();
            if (API.virDomainGetState(pointer, state, reason, 0) == 0) {
                return new Raw(state.getValue(), reason.getValue());
            }
            // failed: getInfo() below reports the same failure as a proper LibvirtException
        }
        DomainInfo info = domain.getInfo();
        return new Raw(info.state.ordinal(), REASON_NOT_AVAILABLE);
    }

    /** The operation of the domain's current job, {@link #JOB_NONE}, or {@link #JOB_UNREADABLE}. */
    static int jobOperation(Domain domain) throws LibvirtException {
        DomainJobStats stats;
        try {
            stats = domain.getJobStats(0);
        } catch (LibvirtException e) {
            if (LibvirtErrors.isConnectionLost(e) || LibvirtErrors.isNotFound(e)) {
                throw e;
            }
            // e.g. a job holding the domain too long: we cannot tell what it does
            log.debug("cannot read the job of a running domain: {}", LibvirtErrors.message(e));
            return JOB_UNREADABLE;
        }
        if (stats == null || stats.type == 0 || stats.stats == null) {
            return JOB_NONE;
        }
        for (TypedParameter p : stats.stats) {
            if ("operation".equals(p.field)) {
                try {
                    return Integer.parseInt(p.getValueAsString().trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0; // a job without an operation: libvirt older than 3.3
    }

    /** Pure: libvirt state, reason and current job operation to the state the resize rules know. */
    static VmState fold(int state, int reason, int jobOperation) {
        return switch (state) {
            case RUNNING, BLOCKED -> running(reason, jobOperation);
            case PAUSED -> paused(reason);
            case SHUTDOWN -> VmState.SHUTTING_DOWN;
            case SHUTOFF -> VmState.SHUT_OFF;
            case CRASHED -> VmState.CRASHED;
            default -> VmState.UNKNOWN; // nostate, pmsuspended (QEMU is not running the guest), future states
        };
    }

    private static VmState running(int reason, int jobOperation) {
        if (reason == RUNNING_POSTCOPY || reason == RUNNING_POSTCOPY_FAILED) {
            return VmState.MIGRATING;
        }
        return switch (jobOperation) {
            case JOB_MIGRATION_IN, JOB_MIGRATION_OUT -> VmState.MIGRATING;
            case JOB_SAVE, JOB_RESTORE, JOB_SNAPSHOT, JOB_SNAPSHOT_REVERT, JOB_DUMP -> VmState.SAVING_OR_RESTORING;
            case JOB_START -> VmState.STARTING;
            case JOB_UNREADABLE -> VmState.UNKNOWN;
            default -> VmState.RUNNING;
        };
    }

    private static VmState paused(int reason) {
        return switch (reason) {
            case REASON_NOT_AVAILABLE -> VmState.UNKNOWN;
            case PAUSED_IOERROR -> VmState.PAUSED_IO_ERROR;
            case PAUSED_MIGRATION, PAUSED_POSTCOPY, PAUSED_POSTCOPY_FAILED -> VmState.MIGRATING;
            case PAUSED_STARTING_UP -> VmState.STARTING;
            case PAUSED_SAVE, PAUSED_DUMP, PAUSED_SNAPSHOT, PAUSED_FROM_SNAPSHOT -> VmState.SAVING_OR_RESTORING;
            case PAUSED_SHUTTING_DOWN -> VmState.SHUTTING_DOWN;
            case PAUSED_CRASHED -> VmState.CRASHED;
            default -> VmState.PAUSED; // user, watchdog, unknown to libvirt, API error: QEMU answers
        };
    }

    private static Pointer nativePointer(Domain domain) {
        if (API == null || DOMAIN_POINTER == null) {
            return null;
        }
        try {
            Object value = DOMAIN_POINTER.get(domain);
            return value instanceof PointerType p ? p.getPointer() : null;
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static StateApi loadApi() {
        try {
            return Native.load("virt", StateApi.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            log.warn("virDomainGetState not available, paused domains will show as UNKNOWN: {}", e.toString());
            return null;
        }
    }

    private static Field domainPointerField() {
        try {
            Field field = Domain.class.getDeclaredField("vdp");
            field.setAccessible(true);
            return PointerType.class.isAssignableFrom(field.getType()) ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot reach libvirt-java's domain pointer, paused domains will show as UNKNOWN: {}", e.toString());
            return null;
        }
    }
}
