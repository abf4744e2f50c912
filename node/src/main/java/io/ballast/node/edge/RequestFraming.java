package io.ballast.node.edge;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Follows the HTTP/1 requests on one connection, byte by byte as they arrive, to find the version in each request
 * line before Undertow's parser sees it. Undertow serves any {@code HTTP/x.y} it does not know as HTTP/1.1 and
 * answers {@code HTTP/2.0} on a plain port with a bare 400, so the version a client asked for is lost before any
 * handler runs. This class rewrites a version whose major number is not 1 ({@code HTTP/0.9}, {@code HTTP/2.0},
 * {@code HTTP/9.9}) to {@code HTTP/1.0}, same length, and queues the original, one entry per request line in order
 * ({@link #versions()}), so that the handler of that request can answer 505 (and close the connection, so that what
 * follows is never read as HTTP/1). HTTP/1.0 rather than 1.1, because Undertow refuses an HTTP/1.1 request without
 * {@code Host}, as HTTP/2's connection preface {@code PRI * HTTP/2.0} is, with a bare 400. {@code HTTP/1.x} with
 * another minor version is left alone: Undertow serves it as HTTP/1.1, as RFC 9110 (2.5) asks.
 *
 * <p>To know where the next request line starts it frames each request as Undertow does: the head up to its empty
 * line, then a body of {@code Content-Length} bytes or chunked when there is a {@code Transfer-Encoding} other than
 * {@code identity}. Where it cannot be sure of the framing (a folded or overlong header line, an unreadable length or
 * chunk size, {@code Upgrade}, {@code CONNECT}), it stops checking that connection and lets every byte through as
 * it is: Undertow refuses most of those itself and closes the connection.
 *
 * <p>{@link #scan} is given every byte once, except the bytes of a version it has not seen the end of yet: those it
 * leaves undecided, and the caller presents them again, with what arrived after them, on the next call.
 */
final class RequestFraming {

    /** What {@link #versions()} holds for a request line whose version passes. */
    static final String SUPPORTED = "";
    /** "HTTP/x.y": the only version form Undertow's parser takes. */
    private static final int VERSION_LENGTH = 8;
    /** Longer header lines are not looked into; a length or encoding this long gives up the framing. */
    private static final int MAX_KEPT_LINE = 256;
    /** Far more than Undertow takes (64 KiB): past this the head is not followed any further. */
    private static final long MAX_HEAD_BYTES = 1 << 20;
    private static final long MAX_CHUNK_SIZE = 1L << 40;
    private static final byte[] HTTP_1_0 = "1.0".getBytes(StandardCharsets.US_ASCII);

    private enum State {
        /** Before a request line (empty lines are skipped). */
        START, METHOD, TARGET, VERSION,
        /** The rest of a line that is not looked into, up to its line feed. */
        LINE_REST,
        HEADER_LINE, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER_LINE,
        /** Framing given up: every byte passes unchecked. */
        PASSTHROUGH
    }

    private final Queue<String> versions = new ConcurrentLinkedQueue<>();
    private State state = State.START;
    /** Where LINE_REST goes at its line feed. */
    private State afterLine = State.HEADER_LINE;
    private final StringBuilder method = new StringBuilder();
    private final StringBuilder line = new StringBuilder();
    private boolean lineTooLong;
    private long headBytes;
    private long contentLength;
    private boolean chunked;
    private boolean upgrade;
    private long remaining;
    private boolean chunkSizeDigits;
    private boolean chunkExtension;

    /** The original version of each request line so far, in order, {@link #SUPPORTED} for those that pass. */
    Queue<String> versions() {
        return versions;
    }

    /** Whether framing was given up: from now on every byte passes unchecked. */
    boolean passthrough() {
        return state == State.PASSTHROUGH;
    }

    /**
     * Follows {@code bytes[from, to)}, rewriting an unsupported version in place, and returns the index up to which
     * the bytes are decided and may be handed on; the bytes from there to {@code to} must be given again.
     */
    int scan(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            switch (state) {
                case PASSTHROUGH -> {
                    return to;
                }
                case START -> {
                    byte b = bytes[i];
                    if (b == '\r' || b == '\n') {
                        i++;
                    } else {
                        beginHead();
                        state = State.METHOD;
                    }
                }
                case METHOD -> {
                    byte b = bytes[i++];
                    headBytes++;
                    if (b == ' ') {
                        state = State.TARGET;
                    } else if (b == '\n') {
                        versions.add(SUPPORTED);          // no version at all: the parser refuses it
                        state = State.HEADER_LINE;
                    } else if (method.length() < MAX_KEPT_LINE) {
                        method.append((char) (b & 0xff));
                    }
                }
                case TARGET -> {
                    byte b = bytes[i++];
                    headBytes++;
                    if (b == ' ') {
                        state = State.VERSION;
                    } else if (b == '\n') {
                        versions.add(SUPPORTED);
                        state = State.HEADER_LINE;
                    } else if (headBytes > MAX_HEAD_BYTES) {
                        state = State.PASSTHROUGH;
                    }
                }
                case VERSION -> {
                    int end = i;
                    while (end < to && bytes[end] != '\r' && bytes[end] != '\n' && end - i <= VERSION_LENGTH) {
                        end++;
                    }
                    if (end - i > VERSION_LENGTH) {
                        versions.add(SUPPORTED);          // not HTTP/x.y: the parser refuses it
                        headBytes += end - i;
                        i = end;
                        afterLine = State.HEADER_LINE;
                        state = State.LINE_REST;
                    } else if (end == to) {
                        return i;                         // the version's end has not arrived yet
                    } else {
                        versions.add(check(bytes, i, end - i));
                        headBytes += end - i;
                        i = end;
                        afterLine = State.HEADER_LINE;
                        state = State.LINE_REST;
                    }
                }
                case LINE_REST -> {
                    byte b = bytes[i++];
                    headBytes++;
                    if (b == '\n') {
                        state = afterLine;
                    }
                }
                case HEADER_LINE, TRAILER_LINE -> {
                    byte b = bytes[i++];
                    headBytes++;
                    if (headBytes > MAX_HEAD_BYTES) {
                        state = State.PASSTHROUGH;
                    } else if (b == '\n') {
                        endLine();
                    } else if (b != '\r') {
                        if (line.length() == 0 && (b == ' ' || b == '\t')) {
                            state = State.PASSTHROUGH;    // a folded line: the parser's business, not ours
                        } else if (line.length() < MAX_KEPT_LINE) {
                            line.append((char) (b & 0xff));
                        } else {
                            lineTooLong = true;
                        }
                    }
                }
                case FIXED_BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, to - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = state == State.FIXED_BODY ? State.START : State.CHUNK_DATA_END;
                    }
                }
                case CHUNK_DATA_END -> {
                    if (bytes[i++] == '\n') {
                        beginChunkSize();
                    }
                }
                case CHUNK_SIZE -> i = chunkSize(bytes[i], i);
                default -> throw new IllegalStateException(state.toString());
            }
        }
        return to;
    }

    private void beginHead() {
        method.setLength(0);
        line.setLength(0);
        lineTooLong = false;
        headBytes = 0;
        contentLength = -1;
        chunked = false;
        upgrade = false;
    }

    /** The version found at {@code bytes[at, at + length)}: rewritten to HTTP/1.0 when its major number is not 1. */
    private static String check(byte[] bytes, int at, int length) {
        String version = new String(bytes, at, length, StandardCharsets.ISO_8859_1);
        boolean wellFormed = length == VERSION_LENGTH && version.startsWith("HTTP/") && isDigit(bytes[at + 5])
                && bytes[at + 6] == '.' && isDigit(bytes[at + 7]);
        if (!wellFormed || bytes[at + 5] == '1') {
            return SUPPORTED;                            // the parser refuses what is not well formed
        }
        System.arraycopy(HTTP_1_0, 0, bytes, at + 5, HTTP_1_0.length);
        return version;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** A header (or trailer) line has ended; an empty one ends the head (or the message). */
    private void endLine() {
        if (line.length() > 0) {
            if (state == State.HEADER_LINE) {
                header();
            }
            line.setLength(0);
            lineTooLong = false;
            return;
        }
        if (state == State.TRAILER_LINE) {
            state = State.START;
        } else if (upgrade || method.toString().equals("CONNECT")) {
            state = State.PASSTHROUGH;                   // what follows may not be HTTP/1 at all
        } else if (chunked) {
            beginChunkSize();
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = State.FIXED_BODY;
        } else {
            state = State.START;
        }
    }

    private void header() {
        int colon = line.indexOf(":");
        if (colon <= 0) {
            return;                                      // malformed: the parser refuses it
        }
        String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).strip();
        switch (name) {
            case "content-length" -> {
                if (lineTooLong || !value.matches("\\d{1,18}") || contentLength >= 0) {
                    state = State.PASSTHROUGH;
                } else {
                    contentLength = Long.parseLong(value);
                }
            }
            case "transfer-encoding" -> {
                if (lineTooLong) {
                    state = State.PASSTHROUGH;
                } else if (!value.equalsIgnoreCase("identity")) {
                    chunked = true;
                }
            }
            case "upgrade" -> upgrade = true;
            default -> {
                // not part of the framing
            }
        }
    }

    private void beginChunkSize() {
        remaining = 0;
        chunkSizeDigits = false;
        chunkExtension = false;
        state = State.CHUNK_SIZE;
    }

    /** One byte of a chunk-size line: hex digits, then an optional extension, up to the line feed. */
    private int chunkSize(byte b, int i) {
        int digit = Character.digit(b, 16);
        if (b == '\n') {
            if (!chunkSizeDigits) {
                state = State.PASSTHROUGH;
            } else if (remaining == 0) {
                line.setLength(0);
                state = State.TRAILER_LINE;
            } else {
                state = State.CHUNK_DATA;
            }
        } else if (chunkExtension || b == '\r') {
            // skipped
        } else if (b == ';' || b == ' ' || b == '\t') {
            chunkExtension = true;
        } else if (digit >= 0) {
            remaining = remaining * 16 + digit;
            chunkSizeDigits = true;
            if (remaining > MAX_CHUNK_SIZE) {
                state = State.PASSTHROUGH;
            }
        } else {
            state = State.PASSTHROUGH;
        }
        return i + 1;
    }
}
