package org.vdresize.inventory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What of a configured libvirt URI may be shown to whom (api-contract.md, "Hypervisor hosts"): the
 * whole URI to camunda-admin only; to everyone else, and in every log line, the URI without its
 * secrets. Secrets are the user part (user name and any password: {@code qemu+ssh://root@hv7/system}
 * names a root login) and the value of every query parameter not known to carry no credential: of
 * libvirt's remote parameters those are {@code keyfile} (where the private key is), {@code command}
 * and {@code netcat} (command lines, which may hold anything), and any parameter not listed in
 * {@link #PLAIN_PARAMETERS}, so that an unknown one is hidden rather than shown. A fragment is dropped.
 * The host name, port, path and transport settings such as {@code pkipath} or {@code no_verify} stay.
 */
public record HostUri(String value) {

    /** libvirt's remote URI parameters that hold no credential (https://libvirt.org/uri.html). */
    public static final Set<String> PLAIN_PARAMETERS = Set.of("name", "socket", "mode", "proxy", "pkipath",
            "tls_priority", "no_verify", "no_tty", "known_hosts", "known_hosts_verify", "sshauth");
    static final String HIDDEN = "***";

    /** The URI as anyone but an administrator may see it; null stays null. */
    public static String redact(String uri) {
        return uri == null ? null : new HostUri(uri).redacted();
    }

    public String redacted() {
        if (value == null) {
            return null;
        }
        String rest = value;
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        String query = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        int authority = rest.indexOf("://");
        if (authority >= 0) {
            int end = firstOf(rest, authority + 3, '/');
            int at = rest.lastIndexOf('@', end - 1);
            if (at >= authority + 3) {
                rest = rest.substring(0, authority + 3) + rest.substring(at + 1);
            }
        }
        if (query == null) {
            return rest;
        }
        StringBuilder shown = new StringBuilder(rest).append('?');
        for (Parameter parameter : parameters(query)) {
            shown.append(parameter.separator()).append(parameter.plain() || parameter.value() == null
                    ? parameter.raw() : parameter.rawName() + "=" + HIDDEN);
        }
        return shown.toString();
    }

    /**
     * {@code text} (a libvirt or ssh message about this host) without this URI's secrets: the whole
     * URI becomes its redacted form, the user part ({@code root@}) and each secret value go.
     */
    public String scrub(String text) {
        if (text == null || value == null) {
            return text;
        }
        String scrubbed = text.replace(value, redacted());
        for (String secret : secrets()) {
            scrubbed = scrubbed.replace(secret, secret.endsWith("@") ? "" : HIDDEN);
        }
        return scrubbed;
    }

    /** The user part with its "@" (and without), and the raw and decoded values of secret parameters. */
    private List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        String rest = value;
        int cut = firstOf(rest, 0, '#');
        rest = rest.substring(0, cut);
        int question = rest.indexOf('?');
        String query = question < 0 ? null : rest.substring(question + 1);
        rest = question < 0 ? rest : rest.substring(0, question);
        int authority = rest.indexOf("://");
        if (authority >= 0) {
            int end = firstOf(rest, authority + 3, '/');
            int at = rest.lastIndexOf('@', end - 1);
            if (at >= authority + 3) {
                String userInfo = rest.substring(authority + 3, at);
                secrets.add(userInfo + "@");
                int colon = userInfo.indexOf(':');
                if (colon >= 0) {
                    secrets.add(userInfo.substring(0, colon) + "@");  // as ssh names the login: root@hv7
                    if (colon + 1 < userInfo.length()) {
                        secrets.add(userInfo.substring(colon + 1));  // a password, wherever it appears alone
                    }
                }
            }
        }
        if (query != null) {
            for (Parameter parameter : parameters(query)) {
                if (!parameter.plain() && parameter.value() != null && !parameter.value().isEmpty()) {
                    secrets.add(parameter.rawValue());
                    secrets.add(parameter.value());
                }
            }
        }
        // longest first: a value that contains another is replaced whole
        secrets.sort((a, b) -> b.length() - a.length());
        return secrets;
    }

    @Override
    public String toString() {
        return redacted();
    }

    private record Parameter(String separator, String raw, String rawName, String rawValue, String value, boolean plain) {
    }

    /** libvirt separates parameters by "&" or ";" and unescapes %XX only. */
    private static List<Parameter> parameters(String query) {
        List<Parameter> parameters = new ArrayList<>();
        int start = 0;
        String separator = "";
        while (start <= query.length()) {
            int end = start;
            while (end < query.length() && query.charAt(end) != '&' && query.charAt(end) != ';') {
                end++;
            }
            String raw = query.substring(start, end);
            if (!raw.isEmpty()) {
                int eq = raw.indexOf('=');
                String rawName = eq < 0 ? raw : raw.substring(0, eq);
                String rawValue = eq < 0 ? null : raw.substring(eq + 1);
                String name = unescape(rawName).toLowerCase(Locale.ROOT);
                parameters.add(new Parameter(parameters.isEmpty() ? "" : separator, raw, rawName, rawValue,
                        rawValue == null ? null : unescape(rawValue), PLAIN_PARAMETERS.contains(name)));
            }
            if (end >= query.length()) {
                break;
            }
            separator = String.valueOf(query.charAt(end));
            start = end + 1;
        }
        return parameters;
    }

    private static String unescape(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;  // a broken escape: compared as written
        }
    }

    private static int firstOf(String text, int from, char... stops) {
        for (int i = from; i < text.length(); i++) {
            for (char stop : stops) {
                if (text.charAt(i) == stop) {
                    return i;
                }
            }
        }
        return text.length();
    }
}
