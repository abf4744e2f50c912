package io.ballast.node.edge;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The node's HTTP/1.1 listener: Undertow's connector on its own XNIO worker, set up as {@code Undertow.builder()}
 * sets one up, but with the listening socket in the node's hands. A drain closes that socket first, so that new
 * connections are refused (and clients go to the addresses DNS gives them next) while the connections already open
 * finish their requests; only then does it close them.
 */
public final class HttpServer {

    /** Undertow's defaults: I/O threads per core, and eight worker threads for each. */
    private static final int IO_THREADS = Math.max(Runtime.getRuntime().availableProcessors(), 2);
    private static final int WORKER_THREADS = IO_THREADS * 8;
    private static final int BUFFER_SIZE = 16 * 1024 - 20;
    private static final long SHUTDOWN_WAIT_MS = 5_000;

    private final InetSocketAddress address;
    private final OptionMap serverOptions;
    private final HttpHandler root;
    private XnioWorker worker;
    private ByteBufferPool buffers;
    private AcceptingChannel<StreamConnection> channel;

    /**
     * @param serverOptions Undertow's options ({@link UndertowOptions}) for every connection
     */
    public HttpServer(InetSocketAddress address, OptionMap serverOptions, HttpHandler root) {
        this.address = address;
        this.serverOptions = serverOptions;
        this.root = root;
    }

    /**
     * Starts listening.
     *
     * @throws java.net.BindException when the address or port cannot be had
     */
    public synchronized void start() throws IOException {
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
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
            HttpOpenListener openListener = new HttpOpenListener(buffers, OptionMap.builder()
                    .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                    .addAll(serverOptions)
                    .getMap());
            // the version each request line asked for, which Undertow's parser does not keep (HttpVersionCheck)
            openListener.setRootHandler(exchange -> {
                HttpVersionCheck.mark(exchange);
                root.handleRequest(exchange);
            });
            ChannelListener<StreamConnection> accepted = connection -> {
                HttpVersionCheck.install(connection);
                openListener.handleEvent(connection);
            };
            channel = worker.createStreamConnectionServer(address, ChannelListeners.openListenerAdapter(accepted),
                    OptionMap.builder()
                            .set(Options.WORKER_IO_THREADS, IO_THREADS)
                            .set(Options.TCP_NODELAY, true)
                            .set(Options.REUSE_ADDRESSES, true)
                            .set(Options.BALANCING_TOKENS, 1)
                            .set(Options.BALANCING_CONNECTIONS, 2)
                            .set(Options.BACKLOG, 1000)
                            .getMap());
            channel.resumeAccepts();
        } catch (IOException | RuntimeException e) {
            worker.shutdownNow();
            worker = null;
            throw e;
        }
    }

    /** Closes the listening socket: from now on connections are refused, while those already open go on. */
    public synchronized void stopAccepting() {
        IoUtils.safeClose(channel);
    }

    /** Stops accepting, closes every connection and stops the server's threads, waiting a few seconds for them. */
    public synchronized void stop() {
        stopAccepting();
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
