package io.ballast.node.forward;

import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HopByHopTest {

    private static HeaderMap headers(String... namesAndValues) {
        HeaderMap headers = new HeaderMap();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(new HttpString(namesAndValues[i]), namesAndValues[i + 1]);
        }
        return headers;
    }

    @Test
    void forwardedRequestLosesHopByHopHeadersAndThoseConnectionNamesButKeepsItsFraming() {
        HeaderMap headers = headers("Connection", "X-Secret-Hop, close", "X-Secret-Hop", "1", "Keep-Alive", "5",
                "TE", "trailers", "Upgrade", "h2c", "Proxy-Authorization", "Basic x", "Content-Length", "12",
                "Accept", "*/*");
        HopByHop.strip(headers);
        assertEquals(2, headers.size(), headers.toString());
        assertEquals("12", headers.getFirst("Content-Length"));
        assertEquals("*/*", headers.getFirst("Accept"));
    }

    @Test
    void anUpgradeRequestKeepsItsUpgradeAndAsksTheNextHopForOne() {
        HeaderMap headers = headers("Connection", "keep-alive, Upgrade, X-Secret-Hop", "X-Secret-Hop", "1",
                "Upgrade", "websocket", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Keep-Alive", "5");
        HopByHop.strip(headers);
        assertEquals("websocket", headers.getFirst("Upgrade"));
        assertEquals("Upgrade", headers.getFirst("Connection"));
        assertEquals("dGhlIHNhbXBsZSBub25jZQ==", headers.getFirst("Sec-WebSocket-Key"));
        assertFalse(headers.contains("X-Secret-Hop"));
        assertFalse(headers.contains("Keep-Alive"));
    }

    @Test
    void anUpgradeHeaderThatConnectionDoesNotNameIsNoUpgrade() {
        HeaderMap headers = headers("Connection", "keep-alive", "Upgrade", "websocket");
        HopByHop.strip(headers);
        assertFalse(headers.contains("Upgrade"));
        assertFalse(headers.contains("Connection"));
    }

    @Test
    void peersResponseLosesItsHopByHopHeadersButKeepsConnectionForUndertowAndUpgradeOnA101() {
        HeaderMap response = headers("Connection", "keep-alive, X-Peer-Only", "X-Peer-Only", "1", "Keep-Alive",
                "timeout=5", "Upgrade", "websocket");
        HopByHop.stripFromResponse(response, 200);
        assertTrue(response.contains("Connection"));
        assertFalse(response.contains("X-Peer-Only"));
        assertFalse(response.contains("Keep-Alive"));
        assertFalse(response.contains("Upgrade"));

        HeaderMap switching = headers("Connection", "Upgrade", "Upgrade", "websocket");
        HopByHop.stripFromResponse(switching, 101);
        assertEquals("websocket", switching.getFirst("Upgrade"));
    }

    @Test
    void clientsClaimsAboutItselfAreDropped() {
        HeaderMap headers = headers("X-Forwarded-For", "203.0.113.9", "Forwarded", "for=203.0.113.9",
                "X-Forwarded-Proto", "https", "Accept", "*/*");
        HopByHop.stripForwardedClaims(headers);
        assertEquals(1, headers.size());
    }
}
