package io.ballast.bench.load;

import io.ballast.protocol.BallastHeaders;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection for the closed loop, used by one thread: it writes a GET and reads the whole
 * response (status line, headers, a {@code Content-Length} or chunked body), blocking. A handful of syscalls per
 * request, so the client costs the shared CPU far less than a general-purpose client does, and a server's maximum
 * throughput shows rather than the client's.
 */
final class KeepAliveConnection implements Closeable {

    private static final int MAX_LINE = 8_192;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;
    private boolean reusable = true;

    private KeepAliveConnection(Socket socket, byte[] request) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16_384);
        this.out = socket.getOutputStream();
        this.request = request;
    }

    /**
     * Connects to {@code target}, over TLS with {@code tls} when its URL is {@code https}; every {@link #exchange()}
     * then asks for {@code pathAndQuery}.
     */
    static KeepAliveConnection open(Target target, String pathAndQuery, Duration timeout, TlsClient tls)
            throws IOException {
        URI url = target.url();
        boolean https = "https".equals(url.getScheme());
        if (https && tls == null) {
            throw new IllegalArgumentException(url + " needs a TLS client");
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) timeout.toMillis());
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), (int) timeout.toMillis());
            if (https) {
                socket = tls.wrap(socket, url.getHost(), url.getPort());
            }
            byte[] request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                    + "\r\nUser-Agent: ballast-bench\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            return new KeepAliveConnection(socket, request);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** What one response said that the tally needs. */
    record Response(int status, String servedBy, boolean forwarded) {
    }

    /** Sends the request and reads the response to its end. */
    Response exchange() throws IOException {
        out.write(request);
        out.flush();
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        String servedBy = null;
        boolean forwarded = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> reusable &= !value.equalsIgnoreCase("close");
                case "via" -> forwarded = true;
                default -> {
                    if (name.equalsIgnoreCase(BallastHeaders.SERVED_BY)) {
                        servedBy = value;
                    }
                }
            }
        }
        if (chunked) {
            skipChunks();
        } else if (length >= 0) {
            skip(length);
        } else {
            reusable = false;
            in.transferTo(OutputStream.nullOutputStream());
        }
        return new Response(status, servedBy, forwarded);
    }

    /** Whether the server lets the connection carry another request. */
    boolean reusable() {
        return reusable && !socket.isClosed();
    }

    private void skipChunks() throws IOException {
        while (true) {
            String sizeLine = line();
            int extension = sizeLine.indexOf(';');
            long size = Long.parseLong((extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return;
            }
            skip(size);
            line();
        }
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("the body ended " + left + " bytes early");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    /** One line without its CRLF, as ISO-8859-1. */
    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("the connection closed in the middle of a response");
            }
            if (bytes.size() > MAX_LINE) {
                throw new IOException("a response line longer than " + MAX_LINE + " bytes");
            }
            bytes.write(b);
        }
        int size = bytes.size();
        byte[] raw = bytes.toByteArray();
        return new String(raw, 0, size > 0 && raw[size - 1] == '\r' ? size - 1 : size, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
