package org.vdresize.libvirt;

import java.util.Locale;
import java.util.Set;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.vdresize.common.HostUnavailableException;
import org.vdresize.common.NotFoundException;
import org.vdresize.common.OperationFailedException;
import org.vdresize.common.TransientFailureException;

/**
 * Turns a {@link LibvirtException} into one of the ports' exceptions, so that nothing outside this
 * package sees libvirt types. The decision is made on libvirt's error code and domain first; the
 * message text is only a fallback for errors libvirt reports under a generic code.
 */
final class LibvirtErrors {

    private static final Set<ErrorNumber> NOT_FOUND = Set.of(
            ErrorNumber.VIR_ERR_NO_DOMAIN, ErrorNumber.VIR_ERR_NO_STORAGE_POOL, ErrorNumber.VIR_ERR_NO_STORAGE_VOL);

    /** The connection itself is unusable: close it and open a new one on the next call. */
    private static final Set<ErrorNumber> CONNECTION_CODES = Set.of(
            ErrorNumber.VIR_ERR_NO_CONNECT, ErrorNumber.VIR_ERR_INVALID_CONN, ErrorNumber.VIR_ERR_RPC,
            ErrorNumber.VIR_ERR_AUTH_FAILED, ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE, ErrorNumber.VIR_ERR_NO_SERVER,
            ErrorNumber.VIR_ERR_GNUTLS_ERROR, ErrorNumber.VIR_ERR_SSH, ErrorNumber.VIR_ERR_LIBSSH);

    private static final Set<ErrorDomain> CONNECTION_DOMAINS = Set.of(ErrorDomain.VIR_FROM_RPC, ErrorDomain.VIR_FROM_REMOTE);

    /** Busy or slow right now; the same call later will probably work. */
    private static final Set<ErrorNumber> TRANSIENT_CODES = Set.of(
            ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, ErrorNumber.VIR_ERR_RESOURCE_BUSY, ErrorNumber.VIR_ERR_SYSTEM_ERROR,
            ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE, ErrorNumber.VIR_ERR_AGENT_UNSYNCED, ErrorNumber.VIR_ERR_NO_MEMORY);

    /** Texts of connection failures that libvirt reports as internal errors (e.g. "client socket is closed"). */
    private static final String[] CONNECTION_TEXTS = {
        "client socket is closed", "broken pipe", "connection refused", "connection reset",
        "end of file while reading data", "cannot recv data", "cannot write data", "failed to connect socket",
        "no connection driver available"};

    /** libvirt's and ssh's words for an identity or credential that does not verify. */
    private static final String[] VERIFICATION_TEXTS = {
        "host key verification failed", "authentication failed", "certificate", "permission denied (publickey"};

    private static final String[] TRANSIENT_TEXTS = {
        "operation timed out", "timed out during operation", "cannot acquire state change lock", "job busy",
        "another job is already running"};

    private LibvirtErrors() {
    }

    static boolean isConnectionLost(LibvirtException e) {
        org.libvirt.Error error = e.getError();
        if (error == null) {
            return false;
        }
        ErrorNumber code = error.getCode();
        if (CONNECTION_CODES.contains(code)) {
            return true;
        }
        // system and internal errors raised by the RPC layer are socket failures, not operation failures
        if (CONNECTION_DOMAINS.contains(error.getDomain())
                && (code == ErrorNumber.VIR_ERR_SYSTEM_ERROR || code == ErrorNumber.VIR_ERR_INTERNAL_ERROR)) {
            return true;
        }
        return (code == ErrorNumber.VIR_ERR_INTERNAL_ERROR || code == ErrorNumber.VIR_ERR_SYSTEM_ERROR)
                && containsAny(message(e), CONNECTION_TEXTS);
    }

    static boolean isNotFound(LibvirtException e) {
        return e.getError() != null && NOT_FOUND.contains(e.getError().getCode());
    }

    /**
     * @param host the configured host name
     * @param what what was being done, for the message ("resize of volume p/v")
     */
    static RuntimeException translate(String host, String what, LibvirtException e) {
        String message = message(e);
        if (isConnectionLost(e)) {
            return new HostUnavailableException(host, message, e);
        }
        if (isNotFound(e)) {
            return new NotFoundException(what + " on host " + host + ": " + message);
        }
        ErrorNumber code = e.getError() == null ? ErrorNumber.VIR_ERR_UNKNOWN : e.getError().getCode();
        if (TRANSIENT_CODES.contains(code) || containsAny(message, TRANSIENT_TEXTS)) {
            return new TransientFailureException(what + " on host " + host + ": " + message, e);
        }
        return new OperationFailedException(what + " on host " + host + ": " + message, e);
    }

    static String message(LibvirtException e) {
        String message = e.getError() != null ? e.getError().getMessage() : e.getMessage();
        return message == null ? e.toString() : message.strip();
    }

    /**
     * A connect failed because the host's identity did not verify or the client's credentials were
     * refused (TLS certificates, SSH host keys, authentication), not because the host is down.
     */
    static boolean isVerificationFailure(String message) {
        return containsAny(message, VERIFICATION_TEXTS);
    }

    /**
     * A message on one line: ssh's warnings reach libvirt's error as several lines framed by lines
     * of '@' (a changed host key); the frame goes, the lines are joined.
     */
    static String oneLine(String message) {
        StringBuilder line = new StringBuilder();
        for (String part : message.split("\\R")) {
            String text = part.replaceAll("^[@\\s]+|[@\\s]+$", "");
            if (!text.isEmpty()) {
                line.append(line.isEmpty() ? "" : " ").append(text);
            }
        }
        return line.toString();
    }

    private static boolean containsAny(String message, String[] texts) {
        String lower = message.toLowerCase(Locale.ROOT);
        for (String text : texts) {
            if (lower.contains(text)) {
                return true;
            }
        }
        return false;
    }
}
