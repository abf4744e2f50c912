package io.ballast.node.edge;

import io.ballast.node.config.TlsPair;
import io.ballast.node.config.ConfigException;
import io.ballast.node.config.NodeConfig;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.Xnio;
import org.xnio.ssl.XnioSsl;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

/**
 * The node's TLS: the server side of its HTTP port and the client side of its forwards to peers, both built from the
 * {@code --tls-cert} and {@code --tls-key} pair and both replaced when {@link CertificateWatcher} finds a new pair on
 * disk. Undertow's {@link UndertowXnioSsl} takes a new context for the connections made after it; those already
 * open keep theirs.
 */
public final class EdgeTls {

    /** TLS 1.0 and 1.1 are refused, whatever the JDK's own settings allow. */
    static final Sequence<String> PROTOCOLS = Sequence.of("TLSv1.3", "TLSv1.2");

    /**
     * The JDK's suites with forward secrecy and an AEAD cipher: TLS 1.3's, and TLS 1.2's ECDHE with AES-GCM or
     * ChaCha20-Poly1305 (what HTTP/2 asks for, RFC 9113 section 9.2.2).
     */
    private static final Pattern MODERN_SUITE = Pattern.compile(
            "TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256"
                    + "|ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256))");

    private static final Logger LOG = LoggerFactory.getLogger(EdgeTls.class);

    private final NodeConfig.TlsFiles files;
    private final UndertowXnioSsl server;
    private final UndertowXnioSsl peers;

    private EdgeTls(NodeConfig.TlsFiles files, UndertowXnioSsl server, UndertowXnioSsl peers) {
        this.files = files;
        this.server = server;
        this.peers = peers;
    }

    /**
     * Reads the pair (checked once already by the configuration; read again, as the files may have changed since).
     *
     * @throws ConfigException naming the file when it is no longer usable
     */
    static EdgeTls load(NodeConfig.TlsFiles files, Xnio xnio) {
        TlsPair pair;
        try {
            pair = TlsPair.load(files.cert(), files.key());
        } catch (TlsPair.Unusable e) {
            throw new ConfigException(e.keyFile() ? "--tls-key" : "--tls-cert",
                    e.file().toString(), "a usable PEM file, but: " + e.problem());
        }
        try {
            OptionMap direct = OptionMap.create(Options.USE_DIRECT_BUFFERS, true);
            EdgeTls tls = new EdgeTls(files, new UndertowXnioSsl(xnio, direct, pair.serverContext()),
                    new UndertowXnioSsl(xnio, direct, pair.peerClientContext()));
            LOG.info("TLS on the HTTP port with {} from {}", pair.describe(), files.cert());
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context for " + files.cert() + ": " + e.getMessage(), e);
        }
    }

    /** Builds the server's listening side. */
    XnioSsl server() {
        return server;
    }

    /** The client side for forwards to peers whose URL is {@code https}. */
    public XnioSsl peers() {
        return peers;
    }

    NodeConfig.TlsFiles files() {
        return files;
    }

    /** Uses {@code pair} for every connection from now on, to clients and to peers. */
    void use(TlsPair pair) throws GeneralSecurityException {
        SSLContext serverContext = pair.serverContext();
        SSLContext peerContext = pair.peerClientContext();
        server.updateSSLContext(serverContext);
        peers.updateSSLContext(peerContext);
    }

    /** The options that restrict a listening socket's engines to {@link #PROTOCOLS} and the modern suites. */
    static OptionMap engineOptions() {
        return OptionMap.builder()
                .set(Options.SSL_ENABLED_PROTOCOLS, PROTOCOLS)
                .set(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(modernSuites()))
                .getMap();
    }

    /** The modern suites the JDK enables by default, in its order of preference. */
    static String[] modernSuites() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            return Arrays.stream(context.getDefaultSSLParameters().getCipherSuites())
                    .filter(suite -> MODERN_SUITE.matcher(suite).matches())
                    .toArray(String[]::new);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context", e);
        }
    }
}
