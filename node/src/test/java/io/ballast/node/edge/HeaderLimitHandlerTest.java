package io.ballast.node.edge;

import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the early checks count and accept; the answers themselves are checked on real nodes (BadInputIT). */
class HeaderLimitHandlerTest {

    @Test
    void headerBytesCountEveryLineAsTheClientSentIt() {
        HeaderMap headers = new HeaderMap();
        headers.put(Headers.HOST, "example.com");
        headers.add(new HttpString("X-A"), "1");
        headers.add(new HttpString("X-A"), "22");
        // "Host: example.com\r\n" + "X-A: 1\r\n" + "X-A: 22\r\n"
        assertEquals(19 + 8 + 9, HeaderLimitHandler.headerBytes(headers));
        assertEquals(0, HeaderLimitHandler.headerBytes(new HeaderMap()));
    }

    @Test
    void headerLinesCountEveryValue() {
        HeaderMap headers = new HeaderMap();
        assertEquals(0, HeaderLimitHandler.headerLines(headers));
        headers.put(Headers.HOST, "example.com");
        headers.add(new HttpString("X-A"), "1");
        headers.add(new HttpString("X-A"), "22");
        assertEquals(3, HeaderLimitHandler.headerLines(headers));
    }

    @Test
    void theHardLimitsOfTheParserLeaveRoomForThePreciseAnswersAndForwardedRequests() {
        assertTrue(HttpLimits.HARD_MAX_HEADERS >= HttpLimits.MAX_HEADERS + HttpLimits.FORWARDED_HEADERS_ALLOWANCE);
        assertTrue(HttpLimits.HARD_MAX_HEAD_BYTES >= HttpLimits.MAX_TARGET_BYTES + HttpLimits.MAX_HEADER_BYTES
                + HttpLimits.FORWARDED_HEADER_ALLOWANCE + 1024);
    }

    @Test
    void transferEncodingMustEndInChunkedAndNameItOnce() {
        assertTrue(HeaderLimitHandler.endsInOneChunked("chunked"));
        assertTrue(HeaderLimitHandler.endsInOneChunked("gzip, chunked"));
        assertTrue(HeaderLimitHandler.endsInOneChunked(" Chunked "));
        assertFalse(HeaderLimitHandler.endsInOneChunked("gzip"));
        assertFalse(HeaderLimitHandler.endsInOneChunked("identity"));
        assertFalse(HeaderLimitHandler.endsInOneChunked("chunked, gzip"));
        assertFalse(HeaderLimitHandler.endsInOneChunked("chunked, chunked"));
        assertFalse(HeaderLimitHandler.endsInOneChunked("chunked,"));
        assertFalse(HeaderLimitHandler.endsInOneChunked(""));
        assertFalse(HeaderLimitHandler.endsInOneChunked("xchunked"));
    }

    @Test
    void cookiesAreCountedAcrossCookieHeadersAtLeastAsUndertowCountsThem() {
        HeaderMap headers = new HeaderMap();
        assertEquals(0, HeaderLimitHandler.cookieCount(headers));
        headers.add(Headers.COOKIE, "a=1; b=2;c=3; ");
        headers.add(Headers.COOKIE, "d=4");
        assertEquals(4, HeaderLimitHandler.cookieCount(headers));
    }
}
