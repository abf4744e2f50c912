package io.ballast.node.forward;

import io.ballast.node.edge.Responses;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The application, when it is a local HTTP server in any language ({@code --upstream}): every request served here is
 * proxied to it over pooled keep-alive connections. When it cannot be reached the client gets a 502 that says so,
 * and the node reports itself not ready until a probe (every {@value #PROBE_INTERVAL_MS} ms) reaches it again. When
 * it has not answered within {@code --request-timeout}, the client gets 504 (or, once the answer has started, its
 * connection is closed).
 */
public final class UpstreamApp implements HttpHandler, AutoCloseable {

    static final long PROBE_INTERVAL_MS = 1_000;
    private static final int PROBE_TIMEOUT_MS = 500;
    private static final String POOL = "upstream";

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamApp.class);

    private final URI url;
    private final PeerConnections connections = new PeerConnections();
    private final ProxyHandler proxy;
    private final ScheduledExecutorService prober;
    private volatile boolean up;

    /**
     * @param requestTimeout how long the upstream may take to answer in full; {@link Duration#ZERO} for no limit
     */
    public UpstreamApp(URI url, Duration requestTimeout) {
        this.url = url;
        this.proxy = ProxyHandler.builder()
                .setProxyClient(new UpstreamClient())
                .setMaxRequestTime((int) requestTimeout.toMillis())
                .setRewriteHostHeader(false)
                .setReuseXForwarded(true)
                .setMaxConnectionRetries(0)
                .build();
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ballast-upstream-probe");
            thread.setDaemon(true);
            return thread;
        });
        probe();
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Whether the upstream answered the latest probe or request. */
    public boolean isUp() {
        return up;
    }

    public URI url() {
        return url;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HopByHop.strip(exchange.getRequestHeaders());
        proxy.handleRequest(exchange);
    }

    @Override
    public void close() {
        prober.shutdownNow();
        connections.closeAll();
    }

    private void probe() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), PROBE_TIMEOUT_MS);
            markUp(true);
        } catch (IOException e) {
            markUp(false);
        }
    }

    private void markUp(boolean nowUp) {
        if (up != nowUp) {
            up = nowUp;
            if (nowUp) {
                LOG.info("upstream {} is answering", url);
            } else {
                LOG.warn("upstream {} is not answering: node not ready until it does", url);
            }
        }
    }

    private void unreachable(HttpServerExchange exchange) {
        markUp(false);
        exchange.getIoThread().execute(() -> Connectors.executeRootHandler(ex -> Responses.error(ex,
                StatusCodes.BAD_GATEWAY, "the application behind this node is not answering",
                Map.of("upstream", url.toString())), exchange));
    }

    private final class UpstreamClient implements ProxyClient {
        private final ProxyTarget target = new ProxyTarget() {
        };

        @Override
        public ProxyTarget findTarget(HttpServerExchange exchange) {
            return target;
        }

        @Override
        public List<ProxyTarget> getAllTargets() {
            return List.of(target);
        }

        @Override
        public void getConnection(ProxyTarget proxyTarget, HttpServerExchange exchange,
                                  ProxyCallback<ProxyConnection> callback, long timeout, TimeUnit timeUnit) {
            connections.connect(POOL, url, proxyTarget, exchange, new ProxyCallback<>() {
                @Override
                public void completed(HttpServerExchange done, ProxyConnection result) {
                    markUp(true);
                    callback.completed(done, result);
                }

                @Override
                public void failed(HttpServerExchange failed) {
                    unreachable(failed);
                }

                @Override
                public void couldNotResolveBackend(HttpServerExchange failed) {
                    unreachable(failed);
                }

                @Override
                public void queuedRequestFailed(HttpServerExchange failed) {
                    callback.queuedRequestFailed(failed);
                }
            }, timeout, timeUnit);
        }
    }
}
