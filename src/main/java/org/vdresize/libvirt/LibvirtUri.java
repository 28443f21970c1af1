package org.vdresize.libvirt;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.vdresize.inventory.HostUri;

/**
 * A configured libvirt URI as vdresize reads it: its transport, whether it leaves the remote host's
 * identity unchecked (vdresize then refuses to connect), the form vdresize connects with, and the
 * form that may be logged (without the user part).
 *
 * <p>Transports as libvirt names them (docs/hosts.md): {@code driver+transport://...}; without a
 * transport a URI with a host name means TLS, one without means the local Unix socket.
 */
public final class LibvirtUri {

    public enum Transport { UNIX, TLS, TCP, SSH, LIBSSH, LIBSSH2, EXT, OTHER }

    private final String uri;
    private final URI parsed;
    private final Transport transport;
    private final Map<String, String> params;

    private LibvirtUri(String uri, URI parsed, Transport transport, Map<String, String> params) {
        this.uri = uri;
        this.parsed = parsed;
        this.transport = transport;
        this.params = params;
    }

    public static LibvirtUri parse(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            return new LibvirtUri(uri, null, Transport.OTHER, Map.of());
        }
        return new LibvirtUri(uri, parsed, transportOf(parsed), paramsOf(parsed.getRawQuery()));
    }

    /**
     * The URI without its user part and secret parameter values ({@code qemu+ssh://root@h/system}
     * becomes {@code qemu+ssh://h/system}, {@code keyfile=***}): safe to log ({@link HostUri}).
     */
    public static String withoutUser(String uri) {
        return HostUri.redact(uri);
    }

    public Transport transport() {
        return transport;
    }

    /**
     * Why vdresize does not connect with this URI, if a parameter turns off the check of the remote
     * host's identity (a TLS certificate or an SSH host key that does not verify would then be
     * accepted), or names a file libvirt would silently ignore.
     */
    public Optional<String> refusal() {
        switch (transport) {
            case TLS -> {
                if (on("no_verify")) {
                    return Optional.of("no_verify=1 turns off the check of the host's TLS certificate; "
                            + "vdresize does not connect without it (docs/hosts.md)");
                }
            }
            case SSH -> {
                if (on("no_verify")) {
                    return Optional.of("no_verify=1 makes ssh accept an unknown host key (StrictHostKeyChecking=no); "
                            + "vdresize does not connect without a verified host key (docs/hosts.md)");
                }
                if (params.containsKey("known_hosts") || params.containsKey("known_hosts_verify")) {
                    return Optional.of("qemu+ssh:// runs the ssh program, which ignores known_hosts= and known_hosts_verify=: "
                            + "put the host key where ssh reads it (~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts or "
                            + "UserKnownHostsFile in ssh_config), or use qemu+libssh:// (docs/hosts.md)");
                }
                if ("0".equals(params.get("no_tty"))) {
                    return Optional.of("no_tty=0 lets ssh ask questions on a terminal nobody watches; "
                            + "vdresize needs no_tty=1 (its default for qemu+ssh://)");
                }
            }
            case LIBSSH, LIBSSH2 -> {
                String verify = params.get("known_hosts_verify");
                if (verify != null && !verify.equalsIgnoreCase("normal")) {
                    return Optional.of("known_hosts_verify=" + verify + " accepts a host key that is not in known_hosts; "
                            + "vdresize does not connect without a verified host key (docs/hosts.md)");
                }
            }
            default -> {
                // local sockets need no identity check; tcp has none (warned about at start)
            }
        }
        return Optional.empty();
    }

    /**
     * The URI vdresize opens: for {@code qemu+ssh://}, {@code no_tty=1} is added when it is not given,
     * so that ssh never waits for an answer on a terminal (BatchMode: an unknown host key fails).
     */
    public String forConnect() {
        if (transport == Transport.SSH && !params.containsKey("no_tty")) {
            int fragment = uri.indexOf('#');
            String base = fragment < 0 ? uri : uri.substring(0, fragment);
            String rest = fragment < 0 ? "" : uri.substring(fragment);
            return base + (parsed.getRawQuery() == null ? "?" : "&") + "no_tty=1" + rest;
        }
        return uri;
    }

    /** A URI parameter, URI-decoded; empty when not given. */
    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    public Optional<String> host() {
        return parsed == null ? Optional.empty() : Optional.ofNullable(parsed.getHost()).filter(h -> !h.isEmpty());
    }

    /** -1 when not given. */
    public int port() {
        return parsed == null ? -1 : parsed.getPort();
    }

    public Optional<String> user() {
        return parsed == null ? Optional.empty() : Optional.ofNullable(parsed.getUserInfo()).filter(u -> !u.isEmpty());
    }

    private boolean on(String param) {
        String value = params.get(param);
        return value != null && !value.isBlank() && !value.strip().equals("0");
    }

    private static Transport transportOf(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int plus = scheme.indexOf('+');
        if (plus < 0) {
            boolean remote = uri.getHost() != null && !uri.getHost().isEmpty();
            return remote ? Transport.TLS : Transport.UNIX;
        }
        return switch (scheme.substring(plus + 1)) {
            case "unix" -> Transport.UNIX;
            case "tls" -> Transport.TLS;
            case "tcp" -> Transport.TCP;
            case "ssh" -> Transport.SSH;
            case "libssh" -> Transport.LIBSSH;
            case "libssh2" -> Transport.LIBSSH2;
            case "ext" -> Transport.EXT;
            default -> Transport.OTHER;
        };
    }

    private static Map<String, String> paramsOf(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(unescape(name).toLowerCase(Locale.ROOT), unescape(value));
        }
        return params;
    }

    /** %XX escapes only, as libvirt unescapes parameters ('+' stays '+'). */
    private static String unescape(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return withoutUser(uri);
    }
}
