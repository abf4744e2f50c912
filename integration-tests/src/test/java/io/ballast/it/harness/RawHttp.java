package io.ballast.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what a well-behaved client library never sends or hides when it receives: bad
 * request heads, cut-off responses, connections the server closes. Every read is bounded by a deadline; close it
 * (try-with-resources) to close the socket.
 *
 * <pre>{@code
 * try (RawHttp http = RawHttp.connect(node)) {
 *     http.send("GARBAGE\r\n\r\n");
 *     RawHttp.Response response = http.readResponse(Duration.ofSeconds(5));
 *     assertEquals(400, response.status());
 *     assertTrue(http.closedByServer(Duration.ofSeconds(2)));
 * }
 * }</pre>
 */
public final class RawHttp implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String authority;

    /**
     * One response as it arrived.
     *
     * @param status   the status code
     * @param headers  header names in lower case, each with its last value
     * @param body     the body bytes received (de-chunked)
     * @param complete whether the body ended as its framing says (all of {@code Content-Length}, or the last chunk);
     *                 false when the connection ended first
     */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp(Socket socket, String authority) throws IOException {
        this.socket = socket;
        this.authority = authority;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A connection to {@code node}'s HTTP port. */
    public static RawHttp connect(NodeProcess node) {
        return connect(node.bind(), node.httpPort());
    }

    public static RawHttp connect(String host, int port) {
        return connect(null, host, port);
    }

    /**
     * A connection from {@code localAddress} (any free port there; the system's choice when null) to {@code
     * host:port}: a client the node sees at that address.
     */
    public static RawHttp connect(String localAddress, String host, int port) {
        Socket socket = new Socket();
        try {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            return new RawHttp(socket, host + ":" + port);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    /** Sends {@code GET target} with {@code Host} and {@code headers}, and reads the response within {@code limit}. */
    public Response get(String target, Map<String, String> headers, Duration limit) {
        StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: ")
                .append(authority).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        return send(request.append("\r\n").toString()).readResponse(limit);
    }

    /** Sends {@code text} as ISO-8859-1 bytes, as it is: line ends and all. */
    public RawHttp send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
    }

    /**
     * Reads one response: status line, headers, and a body framed by {@code Content-Length} or chunked (or, with
     * neither, up to the end of the connection).
     *
     * @throws UncheckedIOException when no complete status line and headers arrive before {@code limit}
     */
    public Response readResponse(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        String statusLine = readLine(deadline);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            throw new UncheckedIOException(new IOException("no status line, got: " + statusLine));
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(deadline); ; line = readLine(deadline)) {
            if (line == null) {
                throw new UncheckedIOException(new IOException("connection ended in the headers"));
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            complete = readChunks(body, deadline);
        } else if (headers.containsKey("content-length")) {
            long length = Long.parseLong(headers.get("content-length"));
            complete = readBytes(body, length, deadline) == length;
        } else {
            readBytes(body, Long.MAX_VALUE, deadline);
            complete = true;
        }
        return new Response(status, headers, body.toByteArray(), complete);
    }

    /**
     * Whether the server closes the connection (end of stream, or a reset) within {@code limit}; bytes that still
     * arrive meanwhile are read and dropped.
     */
    public boolean closedByServer(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                if (!setTimeout(deadline)) {
                    return false;
                }
                try {
                    if (in.read(buffer) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
        } catch (SocketException e) {
            return true; // reset by the server
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private boolean readChunks(ByteArrayOutputStream body, long deadline) {
        while (true) {
            String sizeLine = readLine(deadline);
            if (sizeLine == null) {
                return false;
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                // the last chunk: trailers until an empty line
                for (String line = readLine(deadline); line != null; line = readLine(deadline)) {
                    if (line.isEmpty()) {
                        return true;
                    }
                }
                return false;
            }
            if (readBytes(body, size, deadline) < size || !"".equals(readLine(deadline))) {
                return false;
            }
        }
    }

    /** Reads up to {@code count} bytes into {@code body}; returns how many came before the end of the stream. */
    private long readBytes(ByteArrayOutputStream body, long count, long deadline) {
        byte[] buffer = new byte[8192];
        long read = 0;
        try {
            while (read < count) {
                if (!setTimeout(deadline)) {
                    throw new UncheckedIOException(new SocketTimeoutException("body still arriving at the deadline"));
                }
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, count - read));
                if (n < 0) {
                    return read;
                }
                body.write(buffer, 0, n);
                read += n;
            }
            return read;
        } catch (SocketException e) {
            return read; // reset: the stream ended here
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line without its CRLF, or null at the end of the stream. */
    private String readLine(long deadline) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                if (!setTimeout(deadline)) {
                    throw new UncheckedIOException(new SocketTimeoutException("no full line by the deadline: "
                            + line.toString(StandardCharsets.ISO_8859_1)));
                }
                int b = in.read();
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        } catch (SocketException e) {
            return null; // reset by the server
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bounds the next read by the deadline; false when it has passed. */
    private boolean setTimeout(long deadline) throws SocketException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return false;
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        return true;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
