package io.ballast.node.edge;

import io.ballast.node.config.ConfigException;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.config.StartupException;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioExecutor;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;
import org.xnio.ssl.XnioSsl;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The node's HTTP listener: Undertow's connector on its own XNIO worker, set up as {@code Undertow.builder()} sets one
 * up, but with the listening sockets in the node's hands. A drain closes them first, so that new connections are
 * refused (and clients go to the addresses DNS gives them next) while the connections already open finish their
 * requests; only then does it close them.
 *
 * <p>Plain HTTP/1.1, or with {@code --tls-cert} TLS only: HTTP/2 for clients that offer {@code h2} by ALPN, HTTP/1.1
 * for the others, the pair reloaded when its files change ({@link CertificateWatcher}), and a handshake that is not
 * done within {@code --header-timeout} closed. {@code --http-redirect-port} adds a plain listener that redirects to
 * the TLS one ({@link RedirectHandler}).
 */
public final class HttpServer {

    /** Undertow's defaults: I/O threads per core, and eight worker threads for each. */
    private static final int IO_THREADS = Math.max(Runtime.getRuntime().availableProcessors(), 2);
    private static final int WORKER_THREADS = IO_THREADS * 8;
    private static final int BUFFER_SIZE = 16 * 1024 - 20;
    private static final long SHUTDOWN_WAIT_MS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final InetSocketAddress address;
    /** Undertow's options ({@link UndertowOptions}) for every connection. */
    private final OptionMap serverOptions;
    private final HttpHandler root;
    private final Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
    /** The TLS of the HTTP port, or null for plain HTTP. */
    private final EdgeTls tls;
    private final OptionalInt redirectPort;
    private final long handshakeTimeoutMs;
    private XnioWorker worker;
    private ByteBufferPool buffers;
    private AcceptingChannel<? extends StreamConnection> channel;
    private AcceptingChannel<StreamConnection> redirectChannel;
    private CertificateWatcher watcher;

    /**
     * The server a node's configuration asks for: on its bind address and HTTP port, with its limits
     * ({@link HttpLimits}), TLS when it has {@code --tls-cert}, and its redirect port.
     *
     * @throws ConfigException when a TLS file is no longer usable
     */
    public HttpServer(NodeConfig config, HttpHandler root) {
        this.address = new InetSocketAddress(config.bind(), config.httpPort());
        this.serverOptions = HttpLimits.serverOptions(config);
        this.root = root;
        this.tls = config.tls().map(files -> EdgeTls.load(files, xnio)).orElse(null);
        this.redirectPort = config.httpRedirectPort();
        this.handshakeTimeoutMs = config.headerTimeout().toMillis();
    }

    /** The client side of TLS for forwards to peers, when this node speaks TLS. */
    public Optional<XnioSsl> peerTls() {
        return tls == null ? Optional.empty() : Optional.of(tls.peers());
    }

    /**
     * Starts listening.
     *
     * @throws java.net.BindException when the address or port cannot be had
     * @throws StartupException       when the redirect port cannot be had
     */
    public synchronized void start() throws IOException {
        worker = xnio.createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, IO_THREADS)
                .set(Options.WORKER_TASK_CORE_THREADS, WORKER_THREADS)
                .set(Options.WORKER_TASK_MAX_THREADS, WORKER_THREADS)
                .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                .set(Options.TCP_NODELAY, true)
                .set(Options.CORK, true)
                .getMap());
        try {
            buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
            OptionMap undertowOptions = OptionMap.builder()
                    .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                    .addAll(serverOptions)
                    .getMap();
            HttpOpenListener http = new HttpOpenListener(buffers, undertowOptions);
            // the version each request line asked for, which Undertow's parser does not keep (HttpVersionCheck)
            http.setRootHandler(exchange -> {
                HttpVersionCheck.mark(exchange);
                root.handleRequest(exchange);
            });
            if (tls == null) {
                ChannelListener<StreamConnection> accepted = connection -> {
                    HttpVersionCheck.install(connection);
                    http.handleEvent(connection);
                };
                channel = worker.createStreamConnectionServer(address, ChannelListeners.openListenerAdapter(accepted),
                        socketOptions().getMap());
            } else {
                // over TLS, ALPN picks HTTP/2 or HTTP/1.1 before a request line is read: no framing to check there
                channel = tls.server().createSslConnectionServer(worker, address,
                        ChannelListeners.openListenerAdapter(handshakeWithin(handshakeTimeoutMs, alpn(http,
                                undertowOptions))), socketOptions().addAll(EdgeTls.engineOptions()).getMap());
                watcher = new CertificateWatcher(tls);
            }
            channel.resumeAccepts();
            if (redirectPort.isPresent()) {
                startRedirect(undertowOptions);
            }
        } catch (IOException | RuntimeException e) {
            // closed here, while the worker runs (a TLS channel's close waits on its I/O thread), and forgotten, so
            // that a stop() after this failed start closes nothing twice
            stopAccepting();
            channel = null;
            redirectChannel = null;
            if (watcher != null) {
                watcher.close();
            }
            worker.shutdownNow();
            worker = null;
            throw e;
        }
    }

    private static OptionMap.Builder socketOptions() {
        return OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, IO_THREADS)
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BALANCING_TOKENS, 1)
                .set(Options.BALANCING_CONNECTIONS, 2)
                .set(Options.BACKLOG, 1000);
    }

    /** HTTP/2 for a client that offers {@code h2} in its TLS handshake, HTTP/1.1 for the others. */
    private ChannelListener<StreamConnection> alpn(HttpOpenListener http, OptionMap undertowOptions) {
        Http2OpenListener http2 = new Http2OpenListener(buffers, undertowOptions);
        http2.setRootHandler(root);
        return new AlpnOpenListener(buffers, undertowOptions, http).addProtocol(Http2OpenListener.HTTP2, http2, 10);
    }

    /**
     * Closes a connection whose TLS handshake is not done within {@code millis}: Undertow's own timeouts start only
     * once HTTP is spoken, so a client that connects and sends nothing, or trickles its handshake, would hold the
     * socket forever.
     */
    private static ChannelListener<StreamConnection> handshakeWithin(long millis,
                                                                     ChannelListener<StreamConnection> next) {
        return connection -> {
            if (connection instanceof SslConnection ssl) {
                XnioExecutor.Key timer = connection.getIoThread().executeAfter(() -> {
                    LOG.debug("closing {}: no TLS handshake within {} ms", connection.getPeerAddress(), millis);
                    IoUtils.safeClose(connection);
                }, millis, TimeUnit.MILLISECONDS);
                ssl.getHandshakeSetter().set(done -> timer.remove());
                connection.getCloseSetter().set(closed -> timer.remove());
            }
            next.handleEvent(connection);
        };
    }

    private void startRedirect(OptionMap undertowOptions) throws IOException {
        HttpOpenListener redirect = new HttpOpenListener(buffers, undertowOptions);
        String host = address.getAddress() instanceof Inet6Address
                ? "[" + address.getAddress().getHostAddress() + "]" : address.getAddress().getHostAddress();
        redirect.setRootHandler(new RecoveryHandler(new RedirectHandler(address.getPort(), host, root)));
        try {
            redirectChannel = worker.createStreamConnectionServer(
                    new InetSocketAddress(address.getAddress(), redirectPort.getAsInt()),
                    ChannelListeners.openListenerAdapter(redirect), socketOptions().getMap());
        } catch (BindException e) {
            throw new StartupException("--http-redirect-port", Integer.toString(redirectPort.getAsInt()),
                    "a free port on " + address.getAddress().getHostAddress() + ", but: " + e.getMessage());
        }
        redirectChannel.resumeAccepts();
    }

    /** Closes the listening sockets: from now on connections are refused, while those already open go on. */
    public synchronized void stopAccepting() {
        IoUtils.safeClose(channel);
        IoUtils.safeClose(redirectChannel);
    }

    /** Stops accepting, closes every connection and stops the server's threads, waiting a few seconds for them. */
    public synchronized void stop() {
        stopAccepting();
        if (watcher != null) {
            watcher.close();
        }
        if (worker == null) {
            return;
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        worker = null;
        buffers.close();
    }
}
