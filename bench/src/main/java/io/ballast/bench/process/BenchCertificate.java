package io.ballast.bench.process;

import io.ballast.bench.load.TlsClient;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one certificate of the HTTPS scenario, made for each run: a self-signed EC P-256 certificate and its key as
 * PEM files, given to the Ballast node ({@code --tls-cert}, {@code --tls-key}) and to nginx alike, and trusted by
 * the bench's clients. The load offers only TLS 1.3 with {@value #CIPHER_SUITE}, so both servers do the same
 * cryptography.
 */
public final class BenchCertificate {

    public static final String PROTOCOL = "TLSv1.3";
    public static final String CIPHER_SUITE = "TLS_AES_128_GCM_SHA256";

    private final Path cert;
    private final Path key;
    private final X509Certificate certificate;

    private BenchCertificate(Path cert, Path key, X509Certificate certificate) {
        this.cert = cert;
        this.key = key;
        this.certificate = certificate;
    }

    /** Makes the certificate and writes {@code cert.pem} and {@code key.pem} into {@code dir}. */
    public static BenchCertificate create(Path dir) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=ballast bench");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(7))), name, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            Files.createDirectories(dir);
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            writePem(cert, certificate);
            writePem(key, new JcaPKCS8Generator(keys.getPrivate(), null));
            return new BenchCertificate(cert, key, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bench's certificate in " + dir, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the bench's certificate", e);
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
    }

    public Path cert() {
        return cert;
    }

    public Path key() {
        return key;
    }

    /** The node's options for it. */
    public List<String> nodeArgs() {
        return List.of("--tls-cert", cert.toString(), "--tls-key", key.toString());
    }

    /** The closed loop's TLS: this certificate trusted, {@value #PROTOCOL} and {@value #CIPHER_SUITE} only. */
    public TlsClient client() {
        return new TlsClient(trustingContext(), PROTOCOL, CIPHER_SUITE);
    }

    /** A context that trusts this certificate and no other. */
    SSLContext trustingContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("bench", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("no TLS context for the bench's certificate", e);
        }
    }
}
