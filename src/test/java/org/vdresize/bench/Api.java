package org.vdresize.bench;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/** The REST API as an automation client uses it: HTTP/1.1 with keep-alive, Basic auth, JSON. */
final class Api {

    static final Set<String> END_STATES = Set.of("COMPLETED", "FAILED", "ROLLED_BACK", "REJECTED", "NEEDS_ATTENTION");
    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, JsonNode body) {
    }

    private final HttpClient http;
    private final String base;
    private final String auth;

    Api(int port, String user, String password) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "bench-http");
                    t.setDaemon(true);
                    return t;
                }))
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.base = "http://127.0.0.1:" + port;
        this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The request people send: {"vm","target","size"}, so the guest step runs (notifyGuest defaults to true). */
    static String resizeBody(String vm, String target, String size) {
        return "{\"vm\":\"" + vm + "\",\"target\":\"" + target + "\",\"size\":\"" + size + "\"}";
    }

    /** The same with {@code "notifyGuest": false}: no guest step (the secondary figures, and earlier runs' headline). */
    static String resizeBodyNoGuest(String vm, String target, String size) {
        return "{\"vm\":\"" + vm + "\",\"target\":\"" + target + "\",\"size\":\"" + size + "\",\"notifyGuest\":false}";
    }

    static String volumeResizeBody(String pool, String volume, String size) {
        return "{\"pool\":\"" + pool + "\",\"volume\":\"" + volume + "\",\"size\":\"" + size + "\",\"notifyGuest\":false}";
    }

    Response postResize(String body) {
        return send(postRequest(body));
    }

    CompletableFuture<Response> postResizeAsync(String body) {
        return http.sendAsync(postRequest(body), HttpResponse.BodyHandlers.ofString()).thenApply(Api::parse);
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
                .timeout(Duration.ofSeconds(60)).GET().build());
    }

    /** A count of the engine's REST API ({"count": n}), e.g. /engine-rest/history/job-log/count?successLog=true. */
    long count(String path) {
        Response r = get(path);
        if (r.status() != 200 || !r.body().has("count")) {
            throw new IllegalStateException("GET " + path + " answered " + r.status() + ": " + r.body());
        }
        return r.body().get("count").asLong();
    }

    /** One page of a paged list and the path of the next one (its Link rel="next"), null on the last page. */
    record Paged(int status, JsonNode body, String next) {
    }

    private static final java.util.regex.Pattern NEXT = java.util.regex.Pattern.compile("<([^>]*)>;\\s*rel=\"next\"");

    Paged getPage(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
                    .timeout(Duration.ofSeconds(300)).GET().build(), HttpResponse.BodyHandlers.ofString());
            String next = r.headers().firstValue("Link").map(NEXT::matcher).filter(java.util.regex.Matcher::find)
                    .map(m -> m.group(1)).orElse(null);
            return new Paged(r.statusCode(), parse(r).body(), next);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest postRequest(String body) {
        return HttpRequest.newBuilder(URI.create(base + "/api/resizes")).header("Authorization", auth)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private Response send(HttpRequest request) {
        try {
            return parse(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Response parse(HttpResponse<String> r) {
        try {
            return new Response(r.statusCode(), r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }
}
