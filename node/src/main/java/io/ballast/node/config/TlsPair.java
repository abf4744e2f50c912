package io.ballast.node.config;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate chain and its private key, read from the PEM files of {@code --tls-cert} and {@code --tls-key}
 * (Bouncy Castle's PEM parser: a chain of {@code CERTIFICATE} blocks; an RSA or EC key as PKCS#8 {@code PRIVATE KEY},
 * PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}), and known to belong together: the key signs what the
 * certificate's public key verifies.
 */
public record TlsPair(List<X509Certificate> chain, PrivateKey key) {

    private static final char[] NO_PASSWORD = new char[0];

    public TlsPair {
        chain = List.copyOf(chain);
    }

    /** Why a file cannot be used: which file, and what is wrong with it, for one line of a refusal. */
    public static final class Unusable extends Exception {
        private final Path file;
        private final boolean keyFile;
        private final String problem;

        Unusable(Path file, boolean keyFile, String problem) {
            super(file + ": " + problem);
            this.file = file;
            this.keyFile = keyFile;
            this.problem = problem;
        }

        public Path file() {
            return file;
        }

        /** Whether it is the key file that cannot be used (else the certificate file; the two may be one file). */
        public boolean keyFile() {
            return keyFile;
        }

        public String problem() {
            return problem;
        }
    }

    /**
     * Reads the pair.
     *
     * @throws Unusable naming the file that cannot be read, holds no usable PEM, or holds a key that is not the
     *                  certificate's
     */
    public static TlsPair load(Path certFile, Path keyFile) throws Unusable {
        List<X509Certificate> chain = readChain(certFile);
        PrivateKey key = readKey(keyFile);
        if (!belongTogether(chain.get(0).getPublicKey(), key)) {
            throw new Unusable(keyFile, true, "this key is not the private key of the certificate in " + certFile
                    + " (" + subject(chain.get(0)) + ")");
        }
        return new TlsPair(chain, key);
    }

    /** The first certificate: the node's own. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** One line for logs: subject, serial number and expiry of the node's certificate. */
    public String describe() {
        X509Certificate cert = certificate();
        return subject(cert) + ", serial " + cert.getSerialNumber().toString(16) + ", valid until "
                + cert.getNotAfter().toInstant();
    }

    /** A server context presenting this chain. */
    public SSLContext serverContext() throws GeneralSecurityException {
        KeyStore store = emptyStore();
        store.setKeyEntry("node", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, NO_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, new SecureRandom());
        return context;
    }

    /**
     * A client context for forwards to peers, trusting every certificate of this chain as an anchor: a peer is
     * accepted when its chain leads to one of them (the same certificate, or one from the same issuer).
     */
    public SSLContext peerClientContext() throws GeneralSecurityException {
        KeyStore store = emptyStore();
        for (int i = 0; i < chain.size(); i++) {
            store.setCertificateEntry("anchor-" + i, chain.get(i));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), new SecureRandom());
        return context;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("an empty key store cannot be made", e);
        }
        return store;
    }

    private static List<X509Certificate> readChain(Path file) throws Unusable {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readPem(file, false)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new Unusable(file, false, "certificate " + (chain.size() + 1) + " cannot be read: "
                            + e.getMessage());
                }
            }
        }
        if (chain.isEmpty()) {
            throw new Unusable(file, false, "no PEM certificate in it (expected one or more "
                    + "-----BEGIN CERTIFICATE----- blocks, the node's own first)");
        }
        return chain;
    }

    private static PrivateKey readKey(Path file) throws Unusable {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey key = null;
        for (Object object : readPem(file, true)) {
            PrivateKey found;
            try {
                if (object instanceof PrivateKeyInfo info) {
                    found = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    found = converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 keys may lack the public half
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw new Unusable(file, true, "the private key is encrypted (expected an unencrypted one; "
                            + "'openssl pkey -in FILE -out PLAIN' decrypts it)");
                } else {
                    continue;
                }
            } catch (IOException e) {
                throw new Unusable(file, true, "the private key cannot be read: " + e.getMessage());
            }
            if (key != null) {
                throw new Unusable(file, true, "more than one private key in it (expected exactly one)");
            }
            key = found;
        }
        if (key == null) {
            throw new Unusable(file, true, "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----, "
                    + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
        }
        String algorithm = key.getAlgorithm().toUpperCase(Locale.ROOT);
        if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
            throw new Unusable(file, true, "a " + key.getAlgorithm() + " key (expected an RSA or EC key)");
        }
        return key;
    }

    /** Every PEM object of {@code file}, in order. */
    private static List<Object> readPem(Path file, boolean keyFile) throws Unusable {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (NoSuchFileException e) {
            throw new Unusable(file, keyFile, "no such file");
        } catch (AccessDeniedException e) {
            throw new Unusable(file, keyFile, "it cannot be read (permission denied)");
        } catch (IOException | RuntimeException e) {
            if (Files.isDirectory(file)) {
                throw new Unusable(file, keyFile, "it is a directory, not a file");
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new Unusable(file, keyFile, "not readable as PEM: " + message.replace('\n', ' '));
        }
        return objects;
    }

    /** Whether {@code key} signs what {@code publicKey} verifies. */
    private static boolean belongTogether(PublicKey publicKey, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> null;
        };
        if (algorithm == null || !publicKey.getAlgorithm().equalsIgnoreCase(key.getAlgorithm())) {
            return false;
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String subject(X509Certificate cert) {
        return cert.getSubjectX500Principal().getName();
    }
}
