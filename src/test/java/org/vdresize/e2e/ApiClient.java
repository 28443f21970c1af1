package org.vdresize.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** The REST API as an automation client sees it: HTTP or HTTPS, Basic auth, JSON. */
final class ApiClient {

    static final Set<String> END_STATES = Set.of("COMPLETED", "FAILED", "ROLLED_BACK", "REJECTED", "NEEDS_ATTENTION");

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
    }

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private final String auth;

    ApiClient(int port, String user, String password) {
        this("http://127.0.0.1:" + port, null, user, password);
    }

    /**
     * @param base   scheme, host and port, such as {@code https://127.0.0.1:8443}
     * @param trust  for HTTPS: the certificates this client trusts; {@code null}: the JDK's default trust store
     */
    ApiClient(String base, SSLContext trust, String user, String password) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.http = (trust == null ? builder : builder.sslContext(trust)).build();
        this.base = base;
        this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    Response post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /**
     * Every entry of a paged list (GET /api/disks, /api/resizes, /api/audit), following the Link
     * rel="next" of each page as a client does: the machine's pools hold other tests' volumes too.
     */
    JsonNode getAll(String path) {
        com.fasterxml.jackson.databind.node.ArrayNode all = json.createArrayNode();
        String next = path;
        while (next != null) {
            Response page = get(next);
            if (page.status() != 200) {
                throw new IllegalStateException("GET " + next + ": " + page.status() + " " + page.body());
            }
            page.body().forEach(all::add);
            next = page.raw().headers().firstValue("Link")
                    .map(link -> java.util.regex.Pattern.compile("<([^>]*)>;\\s*rel=\"next\"").matcher(link))
                    .filter(java.util.regex.Matcher::find).map(m -> m.group(1)).orElse(null);
        }
        return all;
    }

    /**
     * Waits until the resize reaches an end state (or a state that waits for a person), as
     * automation should: {@code ?wait=} answers when the status changes, so every integration test
     * also runs the long poll against the real application (and, in ClusterIT, a change committed
     * by the other node).
     */
    JsonNode awaitEnd(String id, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode resize = get("/api/resizes/" + id).body();
        while (!END_STATES.contains(resize.path("status").asText())) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // whole seconds, at least 1, below the request timeout of send()
            long seconds = Math.max(1, Math.min(20, java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(left)));
            resize = get("/api/resizes/" + id + "?wait=" + seconds).body();
        }
        return resize;
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", auth).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
            return new Response(response.statusCode(), body, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
