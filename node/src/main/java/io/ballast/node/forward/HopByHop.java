package io.ballast.node.forward;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Headers that describe one connection, not the message (RFC 9110, section 7.6.1): a proxy removes them, and every
 * header the {@code Connection} header names, before passing a message on. Framing headers
 * ({@code Transfer-Encoding}, {@code Content-Length}) are left to Undertow, which frames each connection itself.
 */
final class HopByHop {

    private static final List<HttpString> ALWAYS = List.of(
            new HttpString("Connection"), new HttpString("Keep-Alive"), new HttpString("Proxy-Connection"),
            new HttpString("Proxy-Authenticate"), new HttpString("Proxy-Authorization"), new HttpString("TE"),
            new HttpString("Trailer"), new HttpString("Upgrade"));

    private HopByHop() {
    }

    private static final HttpString CONNECTION = ALWAYS.get(0);

    private static final List<HttpString> FORWARDED_CLAIMS = List.of(
            new HttpString("X-Forwarded-For"), new HttpString("X-Forwarded-Proto"),
            new HttpString("X-Forwarded-Host"), new HttpString("X-Forwarded-Port"),
            new HttpString("X-Forwarded-Server"), new HttpString("Forwarded"));

    private static final HttpString UPGRADE = ALWAYS.get(ALWAYS.size() - 1);

    /**
     * Removes every hop-by-hop header from a request about to be forwarded, except an upgrade's: a request that asks
     * for one ({@code Upgrade}, named in {@code Connection}, as a WebSocket handshake does) keeps its {@code Upgrade}
     * and goes on with {@code Connection: Upgrade}, so that the next hop can switch protocols too.
     */
    static void strip(HeaderMap headers) {
        String upgrade = isUpgrade(headers) ? headers.getFirst(UPGRADE) : null;
        removeHeadersNamedInConnection(headers, name -> false);
        ALWAYS.forEach(headers::remove);
        if (upgrade != null) {
            headers.put(UPGRADE, upgrade);
            headers.put(CONNECTION, "Upgrade");
        }
    }

    /** Whether a request asks to switch protocols: an {@code Upgrade} header, named in {@code Connection}. */
    static boolean isUpgrade(HeaderMap headers) {
        String upgrade = headers.getFirst(UPGRADE);
        HeaderValues connection = headers.get(CONNECTION);
        if (upgrade == null || upgrade.isBlank() || connection == null) {
            return false;
        }
        for (String value : connection) {
            for (String token : value.split(",")) {
                if (token.trim().equalsIgnoreCase("upgrade")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Removes from a peer's response the hop-by-hop headers of the peer's connection. {@code Connection} itself is
     * left to Undertow, which manages this node's connection to the client; a 101 keeps its {@code Upgrade}.
     */
    static void stripFromResponse(HeaderMap headers, int status) {
        Predicate<String> keep = name -> status == 101 && name.equalsIgnoreCase("Upgrade");
        removeHeadersNamedInConnection(headers, keep);
        for (HttpString name : ALWAYS.subList(1, ALWAYS.size())) {
            if (!keep.test(name.toString())) {
                headers.remove(name);
            }
        }
    }

    /**
     * Removes the {@code X-Forwarded-*} and {@code Forwarded} headers of a request that did not come from a peer:
     * nodes face clients directly, so such headers can only be a client's claims about itself.
     */
    static void stripForwardedClaims(HeaderMap headers) {
        FORWARDED_CLAIMS.forEach(headers::remove);
    }

    /** Removes the headers that {@code Connection} names, but never framing headers, nor those {@code keep} keeps. */
    private static void removeHeadersNamedInConnection(HeaderMap headers, Predicate<String> keep) {
        HeaderValues listed = headers.get(CONNECTION);
        if (listed == null) {
            return;
        }
        for (String value : List.copyOf(listed)) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !CONNECTION_OPTIONS.contains(name.toLowerCase(Locale.ROOT))
                        && !keep.test(name)) {
                    headers.remove(name);
                }
            }
        }
    }

    /** Tokens of {@code Connection} that are options, not header names, or that name framing headers. */
    private static final Set<String> CONNECTION_OPTIONS = Set.of("close", "keep-alive", "transfer-encoding",
            "content-length");
}
