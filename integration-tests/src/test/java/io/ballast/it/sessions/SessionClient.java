package io.ballast.it.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import io.ballast.it.harness.NodeProcess;
import io.ballast.protocol.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A browser reduced to one cookie: it calls the demo app's {@code /session} on any node, sends the session cookie
 * it holds, and keeps the one it is given. Each call is a request on its own: no cookie jar, no redirects.
 */
public final class SessionClient {

    public static final String COOKIE = "JSESSIONID";

    /** Generous: a node of a cluster under change may take seconds to answer, and the machine is shared. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /**
     * One answer of {@code GET /session}.
     *
     * @param session  the session id the client holds after the call (the one it sent, or the new one it was given)
     * @param count    the counter after this call
     * @param servedBy the node that served it ({@code X-Served-By})
     * @param renewed  whether the node set a new session cookie
     * @param via      the {@code Via} header: present when the request was forwarded
     */
    public record Visit(String session, int count, String servedBy, boolean renewed, String via) {
    }

    private SessionClient() {
    }

    /** {@code GET /session} at {@code node} with the session cookie {@code session} (or none, when null). */
    public static Visit visit(NodeProcess node, String session) {
        HttpResponse<String> response = send(node, "GET", session);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /session on " + node.name() + " with session " + session + ": status "
                    + response.statusCode() + ": " + response.body().strip());
        }
        String issued = issuedSession(response);
        JsonNode body;
        try {
            body = Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET /session on " + node.name() + ": not JSON: " + response.body(), e);
        }
        return new Visit(issued != null ? issued : session, body.get("count").intValue(),
                response.headers().firstValue("X-Served-By").orElse(null), issued != null,
                response.headers().firstValue("Via").orElse(null));
    }

    /** {@code DELETE /session} at {@code node}: ends the session; true when there was one. */
    public static boolean end(NodeProcess node, String session) {
        HttpResponse<String> response = send(node, "DELETE", session);
        if (response.statusCode() != 200) {
            throw new AssertionError("DELETE /session on " + node.name() + ": status " + response.statusCode()
                    + ": " + response.body().strip());
        }
        return response.body().contains("\"ended\":true");
    }

    /** {@code GET /session} with a raw {@code Cookie} header value, for cookies no node would issue. */
    public static HttpResponse<String> visitWithCookieHeader(NodeProcess node, String cookieHeader) {
        return send(node, "GET", null, cookieHeader);
    }

    private static HttpResponse<String> send(NodeProcess node, String method, String session) {
        return send(node, method, session, session == null ? null : COOKIE + "=" + session);
    }

    private static HttpResponse<String> send(NodeProcess node, String method, String session, String cookieHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + "/session"))
                .timeout(REQUEST_TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (cookieHeader != null) {
            request.header("Cookie", cookieHeader);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + node.url() + "/session with session " + session + ": " + e,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The session id in the response's session cookie, or null when it sets none. */
    public static String issuedSession(HttpResponse<?> response) {
        List<String> cookies = response.headers().allValues("Set-Cookie");
        for (String cookie : cookies) {
            if (cookie.startsWith(COOKIE + "=")) {
                return cookie.substring(COOKIE.length() + 1, cookie.indexOf(';') < 0 ? cookie.length()
                        : cookie.indexOf(';'));
            }
        }
        return null;
    }
}
