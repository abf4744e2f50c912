package io.ballast.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HopTokenTest {

    private static final byte[] KEY = "0123456789abcdef-cluster-key".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_700_000_000_000L;
    private static final String NONCE = "n0nce-AbC_123";

    private final HopToken hop = new HopToken(KEY);
    private final String token = hop.sign("node-a", "node-b", "GET", "/work?ms=5", NOW, NONCE);

    private Optional<HopToken.Claims> atB(String token) {
        return hop.verify(token, "node-b", "GET", "/work?ms=5", NOW);
    }

    /** The token with its {@code index}-th dot-separated field replaced by {@code value}. */
    private String withField(int index, String value) {
        String[] parts = token.split("\\.", -1);
        parts[index] = value;
        return String.join(".", parts);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void signedTokenVerifiesAtItsTargetAndGivesTheClaims() {
        assertEquals(Optional.of(new HopToken.Claims("node-a", "node-b", NOW, NONCE)), atB(token));
    }

    @Test
    void tokenForAnotherNodeIsRefused() {
        assertEquals(Optional.empty(), hop.verify(token, "node-c", "GET", "/work?ms=5", NOW));
        assertEquals(Optional.empty(), hop.verify(token, "node-a", "GET", "/work?ms=5", NOW));
    }

    @Test
    void tokenIsGoodForItsRequestLineOnly() {
        assertEquals(Optional.empty(), hop.verify(token, "node-b", "POST", "/work?ms=5", NOW), "method");
        assertEquals(Optional.empty(), hop.verify(token, "node-b", "GET", "/hello?ms=5", NOW), "path");
        assertEquals(Optional.empty(), hop.verify(token, "node-b", "GET", "/work?ms=5000", NOW), "query");
        assertEquals(Optional.empty(), hop.verify(token, "node-b", "GET", "/work", NOW), "query dropped");
    }

    @Test
    void everyFieldOfTheTokenTextIsCoveredByTheMac() {
        assertTrue(atB(withField(1, b64("node-a"))).isPresent(), "unchanged fields re-encoded the same way");
        assertEquals(Optional.empty(), atB(withField(0, "v2")), "version");
        assertEquals(Optional.empty(), atB(withField(1, b64("node-x"))), "sender");
        assertEquals(Optional.empty(), atB(withField(4, "other-nonce")), "nonce");
        assertEquals(Optional.empty(), atB(withField(3, Long.toString(NOW + 1))), "timestamp");
        // a token re-addressed to node-c is not accepted by node-c either
        assertEquals(Optional.empty(),
                hop.verify(withField(2, b64("node-c")), "node-c", "GET", "/work?ms=5", NOW), "target");
    }

    @Test
    void anotherSpellingOfTheSameFieldsIsRefused() {
        assertEquals(Optional.empty(), atB(withField(3, "0" + NOW)), "leading zero");
        assertEquals(Optional.empty(), atB(withField(3, "+" + NOW)), "plus sign");
        String mac = token.substring(token.lastIndexOf('.') + 1);
        assertEquals(Optional.empty(), atB(withField(5, mac + "=")), "padded MAC");
    }

    @Test
    void tokenMadeWithAnotherKeyIsRefused() {
        HopToken other = new HopToken("fedcba9876543210-other-key".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), other.verify(token, "node-b", "GET", "/work?ms=5", NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "v1", "v1.....", "v1.bm9kZS1h.bm9kZS1i.notanumber.n.AAAA",
            "v1.!!!.bm9kZS1i.1700000000000.n.AAAA"})
    void malformedTokenIsRefused(String garbage) {
        assertEquals(Optional.empty(), atB(garbage));
    }

    @Test
    void truncatedOrNullTokenIsRefused() {
        assertEquals(Optional.empty(), atB(token.substring(0, token.length() - 1)));
        assertEquals(Optional.empty(), atB(token.substring(0, token.lastIndexOf('.'))));
        assertEquals(Optional.empty(), atB(null));
    }

    @Test
    void tokenIsFreshForValidityMsEitherWayAndNoLonger() {
        long v = HopToken.VALIDITY_MS;
        assertTrue(hop.verify(token, "node-b", "GET", "/work?ms=5", NOW + v).isPresent(), "just old enough");
        assertTrue(hop.verify(token, "node-b", "GET", "/work?ms=5", NOW - v).isPresent(), "sender clock ahead");
        assertEquals(Optional.empty(), hop.verify(token, "node-b", "GET", "/work?ms=5", NOW + v + 1), "too old");
        assertEquals(Optional.empty(), hop.verify(token, "node-b", "GET", "/work?ms=5", NOW - v - 1), "too new");
    }

    @Test
    void keyShorterThanSixteenBytesIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HopToken(new byte[15]));
        assertEquals("hop key: 15 bytes (expected: at least 16)", e.getMessage());
        assertDoesNotThrow(() -> new HopToken(new byte[16]));
    }
}
