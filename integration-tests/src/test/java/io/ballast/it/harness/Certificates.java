package io.ballast.it.harness;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
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
 * A throwaway certificate authority for one test, and node certificates it signs for loopback addresses, written as
 * the PEM files {@code --tls-cert} (the node's certificate, then the CA's) and {@code --tls-key} (PKCS#8) take.
 */
public final class Certificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair caKeys = ecKeys();
    private final X500Name caName = new X500Name("CN=ballast test CA " + new BigInteger(32, RANDOM));
    private final X509Certificate ca = sign(caName, caKeys, true, List.of());

    /** A node's files: {@code cert} holds its certificate and the CA's, {@code key} its private key. */
    public record NodeFiles(Path cert, Path key, X509Certificate certificate) {

        /** {@code --tls-cert CERT --tls-key KEY}. */
        public String[] args() {
            return new String[] {"--tls-cert", cert.toString(), "--tls-key", key.toString()};
        }
    }

    public X509Certificate ca() {
        return ca;
    }

    /**
     * Writes {@code <name>.cert.pem} and {@code <name>.key.pem} in {@code dir}: a new key and a certificate for
     * {@code addresses}, signed by this CA. Writing again under the same name replaces them (a renewal).
     */
    public NodeFiles issue(Path dir, String name, List<String> addresses) {
        KeyPair keys = ecKeys();
        X509Certificate certificate = sign(new X500Name("CN=" + name), keys, false, addresses);
        Path cert = dir.resolve(name + ".cert.pem");
        Path key = dir.resolve(name + ".key.pem");
        write(key, pkcs8(keys));
        write(cert, pem(certificate, ca));
        return new NodeFiles(cert, key, certificate);
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("no client context for the test CA", e);
        }
    }

    /** Writes this CA's certificate as PEM to {@code file}, for {@code curl --cacert}. */
    public Path writeCa(Path file) {
        write(file, pem(ca));
        return file;
    }

    private X509Certificate sign(X500Name subject, KeyPair subjectKeys, boolean isCa, List<String> addresses) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName,
                    new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (!addresses.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(addresses.stream()
                        .map(a -> new GeneralName(GeneralName.iPAddress, a)).toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static String pkcs8(KeyPair keys) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Writes through a file beside it and a rename, as a renewal tool does: a reader never sees half a file. */
    private static void write(Path file, String text) {
        try {
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, text);
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
