package io.ballast.node.forward;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;

import java.util.List;

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

    /**
     * Removes from a peer's response the hop-by-hop headers of the peer's connection. {@code Connection} itself is
     * left to Undertow, which manages this node's connection to the client; a 101 keeps its {@code Upgrade}.
     */
    static void stripFromResponse(HeaderMap headers, int status) {
        HttpString connection = ALWAYS.get(0);
        HeaderValues listed = headers.get(connection);
        if (listed != null) {
            for (String value : listed) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")
                            && !name.equalsIgnoreCase("Transfer-Encoding") && !name.equalsIgnoreCase("Content-Length")
                            && !(status == 101 && name.equalsIgnoreCase("Upgrade"))) {
                        headers.remove(name);
                    }
                }
            }
        }
        for (HttpString name : ALWAYS.subList(1, ALWAYS.size())) {
            if (!(status == 101 && name.equalToString("Upgrade"))) {
                headers.remove(name);
            }
        }
    }

    private static final List<HttpString> FORWARDED_CLAIMS = List.of(
            new HttpString("X-Forwarded-For"), new HttpString("X-Forwarded-Proto"),
            new HttpString("X-Forwarded-Host"), new HttpString("X-Forwarded-Port"),
            new HttpString("X-Forwarded-Server"), new HttpString("Forwarded"));

    /**
     * Removes the {@code X-Forwarded-*} and {@code Forwarded} headers of a request that did not come from a peer:
     * nodes face clients directly, so such headers can only be a client's claims about itself.
     */
    static void stripForwardedClaims(HeaderMap headers) {
        for (HttpString name : FORWARDED_CLAIMS) {
            headers.remove(name);
        }
    }

    /** Removes every hop-by-hop header from a request about to be forwarded. */
    static void strip(HeaderMap headers) {
        HeaderValues listed = headers.get(ALWAYS.get(0));
        for (String connection : listed == null ? List.<String>of() : listed) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !name.equalsIgnoreCase("Transfer-Encoding")
                        && !name.equalsIgnoreCase("Content-Length")) {
                    headers.remove(name);
                }
            }
        }
        for (HttpString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
