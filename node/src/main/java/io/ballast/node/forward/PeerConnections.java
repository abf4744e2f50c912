package io.ballast.node.forward;

import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ConnectionPoolManager;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioExecutor;
import org.xnio.ssl.XnioSsl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pool of keep-alive connections to each peer, and the connections in use, so that when a peer leaves the view the
 * requests still waiting on it fail at once (and idempotent ones are tried elsewhere) rather than hang. A connection
 * that is not there within {@link #CONNECT_TIMEOUT_MS} (a peer whose host dropped off the network answers nothing,
 * not even a refusal) fails the attempt, which nothing has been sent on yet, so the request goes to another
 * candidate.
 *
 * <p>Connections to peers start from the node's {@code --bind} address, so that a peer (and a firewall between them)
 * sees the node's traffic come from the address it serves on; without a source address given (the {@code --upstream}
 * pool) the route to the server picks one.
 */
final class PeerConnections {

    /** Per IO thread: how many connections to one peer at most, and how many idle ones to keep. */
    private static final int MAX_CONNECTIONS = 512;
    private static final int MAX_IDLE = 64;
    private static final int SOFT_MAX = 16;
    private static final long IDLE_TTL_MS = 30_000;
    private static final int MAX_QUEUE = 1024;

    /** How long a forward waits for a connection to a peer (or a free one from its pool) before it goes elsewhere. */
    static final long CONNECT_TIMEOUT_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(PeerConnections.class);

    private final UndertowClient client = UndertowClient.getInstance();
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final InetSocketAddress source;
    private final long connectTimeoutMs;
    /** The client side of TLS for peers whose URL is {@code https}, or null while this node has none. */
    private volatile XnioSsl tls;

    /** Connections from whatever address the route to each server picks. */
    PeerConnections() {
        this(null, CONNECT_TIMEOUT_MS);
    }

    /** Connections from {@code source} (any free port), or from the address the route picks when it is null. */
    PeerConnections(InetAddress source) {
        this(source, CONNECT_TIMEOUT_MS);
    }

    PeerConnections(InetAddress source, long connectTimeoutMs) {
        this.source = source == null ? null : new InetSocketAddress(source, 0);
        this.connectTimeoutMs = connectTimeoutMs;
    }

    private static final class Pool {
        final URI url;
        final ProxyConnectionPool connections;
        final Set<ClientConnection> inUse = ConcurrentHashMap.newKeySet();

        Pool(URI url, ProxyConnectionPool connections) {
            this.url = url;
            this.connections = connections;
        }
    }

    void connect(String peer, URI url, ProxyClient.ProxyTarget target, HttpServerExchange exchange,
                 ProxyCallback<ProxyConnection> callback, long timeout, TimeUnit unit) {
        Pool pool = pools.compute(peer, (name, old) -> {
            if (old != null && old.url.equals(url)) {
                return old;
            }
            if (old != null) {
                close(old);
            }
            OptionMap options = OptionMap.create(Options.TCP_NODELAY, true);
            XnioSsl ssl = "https".equalsIgnoreCase(url.getScheme()) ? tls : null;
            return new Pool(url, source == null ? new ProxyConnectionPool(new Manager(), url, ssl, client, options)
                    : new ProxyConnectionPool(new Manager(), source, url, ssl, client, options));
        });
        // Exactly one of the pool's answer and the connect timeout goes on to the proxy, on the exchange's I/O thread.
        // A pooled connection is handed over within connect() itself: the timer is armed only when none was.
        AtomicBoolean answered = new AtomicBoolean();
        XnioExecutor.Key[] timer = new XnioExecutor.Key[1];
        Runnable disarm = () -> {
            if (timer[0] != null) {
                timer[0].remove();
            }
        };
        pool.connections.connect(target, exchange, new ProxyCallback<>() {
            @Override
            public void completed(HttpServerExchange done, ProxyConnection connection) {
                ClientConnection raw = connection.getConnection();
                if (!answered.compareAndSet(false, true)) {
                    IoUtils.safeClose(raw); // too late: the request has gone elsewhere
                    return;
                }
                disarm.run();
                pool.inUse.add(raw);
                done.addExchangeCompleteListener((ex, next) -> {
                    pool.inUse.remove(raw);
                    next.proceed();
                });
                callback.completed(done, connection);
            }

            @Override
            public void failed(HttpServerExchange failed) {
                if (answered.compareAndSet(false, true)) {
                    disarm.run();
                    callback.failed(failed);
                }
            }

            @Override
            public void couldNotResolveBackend(HttpServerExchange failed) {
                if (answered.compareAndSet(false, true)) {
                    disarm.run();
                    callback.couldNotResolveBackend(failed);
                }
            }

            @Override
            public void queuedRequestFailed(HttpServerExchange failed) {
                if (answered.compareAndSet(false, true)) {
                    disarm.run();
                    callback.queuedRequestFailed(failed);
                }
            }
        }, timeout, unit, false);
        if (!answered.get()) {
            timer[0] = exchange.getIoThread().executeAfter(() -> {
                if (answered.compareAndSet(false, true)) {
                    LOG.info("no connection to {} within {} ms: trying another candidate", peer, connectTimeoutMs);
                    callback.failed(exchange);
                }
            }, connectTimeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Connects to {@code https} peers over TLS with {@code ssl} (HTTP/1.1, as to plain peers). */
    void forwardOverTls(XnioSsl ssl) {
        tls = ssl;
    }

    /** Closes every connection to {@code peer}, idle or in use. */
    void forget(String peer) {
        Pool pool = pools.remove(peer);
        if (pool != null) {
            close(pool);
        }
    }

    void closeAll() {
        pools.keySet().forEach(this::forget);
    }

    private static void close(Pool pool) {
        pool.connections.close();
        for (ClientConnection connection : pool.inUse) {
            connection.getIoThread().execute(() -> abort(connection));
        }
    }

    /**
     * Closes a connection in use at once, so that the request waiting on it fails (and fails over) now.
     * {@code ClientConnection.close()} would not do: Undertow closes a client connection cleanly, waiting up to 10 s
     * ({@code io.undertow.max-drain-time}) for the peer to close its end, and fails the request on it only then; a peer
     * that is gone from the network never closes its end. The connection under it, closed directly, fails the request
     * at once. {@code performUpgrade} is the client's public way to that connection.
     */
    private static void abort(ClientConnection connection) {
        try {
            IoUtils.safeClose(connection.performUpgrade());
        } catch (IOException e) {
            IoUtils.safeClose(connection); // closed or closing already
        }
    }

    /** Ballast keeps its own record of failing peers ({@link PeerHealth}): the pool itself never gives up a host. */
    private static final class Manager implements ConnectionPoolManager {
        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public boolean handleError() {
            return true;
        }

        @Override
        public boolean clearError() {
            return true;
        }

        @Override
        public int getProblemServerRetry() {
            return 1;
        }

        @Override
        public int getMaxConnections() {
            return MAX_CONNECTIONS;
        }

        @Override
        public int getMaxCachedConnections() {
            return MAX_IDLE;
        }

        @Override
        public int getSMaxConnections() {
            return SOFT_MAX;
        }

        @Override
        public long getTtl() {
            return IDLE_TTL_MS;
        }

        @Override
        public int getMaxQueueSize() {
            return MAX_QUEUE;
        }
    }
}
