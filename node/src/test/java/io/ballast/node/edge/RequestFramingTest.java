package io.ballast.node.edge;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestFramingTest {

    private static final String OK = RequestFraming.SUPPORTED;

    /** Four requests on one connection: bodies that hold request lines of other versions, and two real ones. */
    private static final String FAKE = "GET /x HTTP/2.0\r\n";
    private static final String CONNECTION = ""
            + "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: " + FAKE.length() + "\r\n\r\n" + FAKE
            + "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;ext=\"v\"\r\nabcd\r\n" + Integer.toHexString(FAKE.length()) + "\r\n" + FAKE + "\r\n0\r\nT: 1\r\n\r\n"
            + "GET /c HTTP/9.9\r\nHost: h\r\n\r\n"
            + "\r\nGET /d HTTP/1.2\r\nHost: h\r\n\r\n"
            + "GET /e HTTP/0.9\r\nHost: h\r\ncontent-length: 3\r\n\r\nGET"
            + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    @Test
    void versionsWhoseMajorIsNot1AreRewrittenTo10AndQueuedInOrderWhateverTheChunksAre() {
        String expected = CONNECTION.replace("GET /c HTTP/9.9", "GET /c HTTP/1.0")
                .replace("GET /e HTTP/0.9", "GET /e HTTP/1.0").replace("PRI * HTTP/2.0", "PRI * HTTP/1.0");
        List<String> versions = List.of(OK, OK, "HTTP/9.9", OK, "HTTP/0.9", "HTTP/2.0", OK);
        Random random = new Random(13);
        for (int chunk = 1; chunk <= 40; chunk++) {
            assertEquals(expected, through(CONNECTION, new int[] {chunk}), "chunks of " + chunk);
        }
        for (int run = 0; run < 200; run++) {
            int[] sizes = random.ints(50, 1, 30).toArray();
            RequestFraming framing = new RequestFraming();
            assertEquals(expected, through(framing, CONNECTION, sizes), "chunks " + Arrays.toString(sizes));
            // the preface's "SM" line is a request line of its own: without a version
            assertEquals(versions, new ArrayList<>(framing.versions()), "chunks " + Arrays.toString(sizes));
        }
    }

    @Test
    void noByteOfAnUnfinishedVersionIsHandedOnBeforeItsLineEnds() {
        RequestFraming framing = new RequestFraming();
        byte[] bytes = "GET / HTTP/2.".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("GET / ".length(), framing.scan(bytes, 0, bytes.length));
        byte[] more = "HTTP/2.0\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(more.length, framing.scan(more, 0, more.length));
        assertEquals("HTTP/1.0\r\n", new String(more, StandardCharsets.ISO_8859_1));
        assertEquals(List.of("HTTP/2.0"), new ArrayList<>(framing.versions()));
    }

    @Test
    void framingItCannotBeSureOfIsGivenUpAndEverythingPassesAsItIs() {
        for (String head : List.of(
                "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: x1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: h\r\nX-Folded: a\r\n b\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) {
            RequestFraming framing = new RequestFraming();
            String after = "GET / HTTP/2.0\r\n\r\n";
            assertEquals(head + after, through(framing, head + after, new int[] {7}), head);
            assertTrue(framing.passthrough(), head);
            assertEquals(List.of(OK), new ArrayList<>(framing.versions()), head);
        }
    }

    private static String through(String text, int[] sizes) {
        return through(new RequestFraming(), text, sizes);
    }

    /**
     * What a reader gets when {@code text} arrives in chunks of {@code sizes} (in turn, repeated) through the
     * framing, as {@link HttpVersionCheck.Conduit} feeds it: undecided bytes are given again with the next chunk.
     */
    private static String through(RequestFraming framing, String text, int[] sizes) {
        byte[] input = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] staged = new byte[input.length];
        int undecided = 0;
        int at = 0;
        for (int i = 0; at < input.length; i++) {
            int n = Math.min(sizes[i % sizes.length], input.length - at);
            System.arraycopy(input, at, staged, undecided, n);
            at += n;
            int end = undecided + n;
            int decided = framing.scan(staged, 0, end);
            out.write(staged, 0, decided);
            System.arraycopy(staged, decided, staged, 0, end - decided);
            undecided = end - decided;
        }
        out.write(staged, 0, undecided);
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
