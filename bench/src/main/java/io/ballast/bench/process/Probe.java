package io.ballast.bench.process;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Short blocking GETs to see whether a server is up yet; a server that does not answer is simply not up. */
final class Probe {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private Probe() {
    }

    /** A probing client for servers that speak TLS, trusting what {@code context} trusts. */
    static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(context)
                .build();
    }

    /**
     * A probing client that trusts the certificates of the PEM file {@code pem} (a server's own {@code --tls-cert}),
     * and no others, whatever host name they carry: the bench's servers listen on loopback addresses that its
     * certificate does not name.
     */
    static HttpClient trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("anchor-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            X509TrustManager pinned = (X509TrustManager) trust.getTrustManagers()[0];
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinnedTrust(pinned)}, null);
            return client(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the certificates of " + pem + ": " + e, e);
        }
    }

    /** Checks a server's chain against the pinned certificates only, leaving out the host name check. */
    private static final class PinnedTrust extends X509ExtendedTrustManager {
        private final X509TrustManager pinned;

        PinnedTrust(X509TrustManager pinned) {
            this.pinned = pinned;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pinned.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pinned.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pinned.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the probe is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("the probe is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("the probe is a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pinned.getAcceptedIssuers();
        }
    }

    /** The client for plain HTTP. */
    static HttpClient plain() {
        return HTTP;
    }

    /** The response to {@code GET uri}, or empty when the server refused, reset or did not answer in time. */
    static Optional<HttpResponse<String>> get(URI uri) {
        return get(HTTP, uri);
    }

    /** {@link #get(URI)} with {@code client}. */
    static Optional<HttpResponse<String>> get(HttpClient client, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
        try {
            return Optional.of(client.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }

    /** Whether {@code GET uri} answers 200. */
    static boolean ok(URI uri) {
        return ok(HTTP, uri);
    }

    /** {@link #ok(URI)} with {@code client}. */
    static boolean ok(HttpClient client, URI uri) {
        return get(client, uri).map(response -> response.statusCode() == 200).orElse(false);
    }

    /** Sleeps a poll interval; a wait loop's pause, not a way to order events. */
    static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a server to come up", e);
        }
    }
}
