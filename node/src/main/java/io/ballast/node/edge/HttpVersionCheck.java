package io.ballast.node.edge;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Collections;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;

/**
 * Keeps the HTTP version of each request line for the handlers, which Undertow's parser would lose: every accepted
 * connection reads through a {@link RequestFraming} ({@link #install}, before Undertow's own listener sees the
 * connection), and each request is marked with the version it asked for when that is not HTTP/1.x ({@link #mark},
 * in front of the root handler). {@link HeaderLimitHandler} answers such a request 505.
 */
public final class HttpVersionCheck {

    private static final AttachmentKey<String> UNSUPPORTED = AttachmentKey.create(String.class);
    @SuppressWarnings("unchecked")
    private static final AttachmentKey<Queue<String>> VERSIONS =
            (AttachmentKey<Queue<String>>) (AttachmentKey<?>) AttachmentKey.create(Queue.class);
    /**
     * Each connection's versions, from its accept until its first request moves them onto Undertow's connection.
     * Weak keys: a connection closed before any request leaves nothing behind (the queue holds no reference back).
     */
    private static final Map<StreamConnection, Queue<String>> ACCEPTED =
            Collections.synchronizedMap(new WeakHashMap<>());

    private HttpVersionCheck() {
    }

    /** Makes {@code connection} read through a {@link RequestFraming}; call before Undertow's open listener. */
    public static void install(StreamConnection connection) {
        ConduitStreamSourceChannel source = connection.getSourceChannel();
        Conduit conduit = new Conduit(source.getConduit());
        source.setConduit(conduit);
        ACCEPTED.put(connection, conduit.framing.versions());
    }

    /** Takes the version of this request's line off its connection's queue, and marks the request if unsupported. */
    public static void mark(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        Queue<String> versions = connection.getAttachment(VERSIONS);
        if (versions == null && connection instanceof AbstractServerConnection server) {
            versions = ACCEPTED.remove(server.getChannel());
            if (versions != null) {
                connection.putAttachment(VERSIONS, versions);
            }
        }
        String version = versions == null ? null : versions.poll();
        if (version != null && !version.equals(RequestFraming.SUPPORTED)) {
            exchange.putAttachment(UNSUPPORTED, version);
        }
    }

    /** The version this request's line named when it is not one this node serves, else null. */
    public static String unsupported(HttpServerExchange exchange) {
        return exchange.getAttachment(UNSUPPORTED);
    }

    /**
     * The connection's bytes through {@link RequestFraming}. Only bytes it has decided are handed on; the few of a
     * version whose end has not arrived yet wait here for the next read. Since those wait for more bytes from the
     * client anyway, no read readiness is lost: at most {@code dst.remaining()} bytes are taken from the socket per
     * read, so nothing decided is ever left here (but at the end of the stream).
     */
    static final class Conduit extends AbstractStreamSourceConduit<StreamSourceConduit> {

        private static final int STAGING = 16 * 1024;

        final RequestFraming framing = new RequestFraming();
        private final byte[] staged = new byte[STAGING];
        /** staged[0, undecided): bytes given to the framing, not decided yet. */
        private int undecided;
        /** staged[leftFrom, leftTo): bytes decided at the end of the stream that did not fit the reader's buffer. */
        private int leftFrom;
        private int leftTo;
        private boolean ended;

        Conduit(StreamSourceConduit next) {
            super(next);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (leftTo > leftFrom) {
                int n = Math.min(dst.remaining(), leftTo - leftFrom);
                dst.put(staged, leftFrom, n);
                leftFrom += n;
                return n;
            }
            if (ended) {
                return -1;
            }
            if (undecided == 0 && framing.passthrough()) {
                return next.read(dst);
            }
            while (true) {
                int room = Math.min(dst.remaining(), STAGING) - undecided;
                if (room <= 0) {
                    return 0;                            // what waits here needs more bytes first
                }
                int read = next.read(ByteBuffer.wrap(staged, undecided, room));
                if (read == -1) {
                    ended = true;
                    leftFrom = 0;
                    leftTo = undecided;
                    undecided = 0;
                    return leftTo > 0 ? read(dst) : -1;
                }
                if (read == 0) {
                    return 0;
                }
                int end = undecided + read;
                int decided = framing.scan(staged, 0, end);
                dst.put(staged, 0, decided);
                System.arraycopy(staged, decided, staged, 0, end - decided);
                undecided = end - decided;
                if (decided > 0) {
                    return decided;
                }
            }
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            for (int i = offs; i < offs + len; i++) {
                if (dsts[i].hasRemaining()) {
                    return read(dsts[i]);
                }
            }
            return 0;
        }

        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            return Conduits.transfer(this, count, throughBuffer, target);
        }
    }
}
