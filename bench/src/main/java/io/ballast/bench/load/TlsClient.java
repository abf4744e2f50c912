package io.ballast.bench.load;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * How the closed loop speaks TLS to an {@code https} target: one protocol and one cipher suite, so that every server
 * it measures does the same work per byte, with a context that trusts the bench's own certificate.
 *
 * @param context     trusts the servers' certificate
 * @param protocol    the only protocol offered, e.g. {@code TLSv1.3}
 * @param cipherSuite the only suite offered, e.g. {@code TLS_AES_128_GCM_SHA256}
 */
public record TlsClient(SSLContext context, String protocol, String cipherSuite) {

    /** {@code plain}, connected, with TLS over it and the handshake done. */
    SSLSocket wrap(Socket plain, String host, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setEnabledCipherSuites(new String[] {cipherSuite});
        socket.startHandshake();
        return socket;
    }
}
