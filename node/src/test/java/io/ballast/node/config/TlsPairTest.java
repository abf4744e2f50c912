package io.ballast.node.config;

import io.ballast.node.edge.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.List;

import static io.ballast.node.edge.TestCertificates.pem;
import static io.ballast.node.edge.TestCertificates.pkcs8;
import static io.ballast.node.edge.TestCertificates.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsPairTest {

    @TempDir
    Path dir;

    private final TestCertificates.Issued ca = TestCertificates.ca("test ca");

    @Test
    void readsAChainAndAnEcKeyInPkcs8OrSec1() throws Exception {
        TestCertificates.Issued node = TestCertificates.node(ca, "127.0.0.2", "EC");
        Path cert = write(dir.resolve("chain.pem"), pem(node.certificate(), ca.certificate()));
        for (String key : List.of(pkcs8(node.keys()), TestCertificates.sec1(node.keys()))) {
            TlsPair pair = TlsPair.load(cert, write(dir.resolve("key.pem"), key));
            assertEquals(List.of(node.certificate(), ca.certificate()), pair.chain());
            assertEquals(((ECPrivateKey) node.keys().getPrivate()).getS(), ((ECPrivateKey) pair.key()).getS());
        }
    }

    @Test
    void readsAnRsaKeyInPkcs1OrPkcs8() throws Exception {
        TestCertificates.Issued node = TestCertificates.node(ca, "127.0.0.2", "RSA");
        Path cert = write(dir.resolve("cert.pem"), pem(node.certificate()));
        String pkcs1 = pem(node.keys().getPrivate());
        assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pkcs1);
        for (String key : List.of(pkcs1, pkcs8(node.keys()))) {
            assertEquals(node.certificate(), TlsPair.load(cert, write(dir.resolve("key.pem"), key)).certificate());
        }
    }

    @Test
    void keyOfAnotherCertificateIsRefusedNamingTheKeyFile() {
        TestCertificates.Issued node = TestCertificates.node(ca, "127.0.0.2", "EC");
        TestCertificates.Issued other = TestCertificates.node(ca, "127.0.0.2", "EC");
        Path cert = write(dir.resolve("cert.pem"), pem(node.certificate()));
        Path key = write(dir.resolve("key.pem"), pkcs8(other.keys()));
        TlsPair.Unusable refusal = assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(cert, key));
        assertEquals(key, refusal.file());
        assertTrue(refusal.problem().startsWith("this key is not the private key of the certificate in " + cert),
                refusal.problem());
        Path rsaKey = write(dir.resolve("rsa.pem"), pkcs8(TestCertificates.keys("RSA")));
        assertEquals(rsaKey, assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(cert, rsaKey)).file());
    }

    @Test
    void fileWithoutCertificateOrKeyIsRefusedNamingIt() {
        TestCertificates.Issued node = TestCertificates.node(ca, "127.0.0.2", "EC");
        Path cert = write(dir.resolve("cert.pem"), pem(node.certificate()));
        Path key = write(dir.resolve("key.pem"), pkcs8(node.keys()));
        Path text = write(dir.resolve("notes.txt"), "not a certificate\n");
        TlsPair.Unusable noCert = assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(text, key));
        assertEquals(text, noCert.file());
        assertTrue(noCert.problem().startsWith("no PEM certificate in it"), noCert.problem());
        TlsPair.Unusable noKey = assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(cert, cert));
        assertTrue(noKey.problem().startsWith("no PEM private key in it"), noKey.problem());
        Path broken = write(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n"
                + "-----END CERTIFICATE-----\n");
        TlsPair.Unusable malformed = assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(broken, key));
        assertEquals(broken, malformed.file());
        assertFalse(malformed.problem().contains("\n"), malformed.problem());
        Path missing = dir.resolve("missing.pem");
        assertEquals("no such file", assertThrows(TlsPair.Unusable.class,
                () -> TlsPair.load(missing, key)).problem());
        assertEquals("it is a directory, not a file", assertThrows(TlsPair.Unusable.class,
                () -> TlsPair.load(cert, dir)).problem());
    }

    @Test
    void oneFileMayHoldTheChainAndTheKeyAndARefusalSaysWhichRoleFailed() throws Exception {
        TestCertificates.Issued node = TestCertificates.node(ca, "127.0.0.2", "EC");
        Path both = write(dir.resolve("both.pem"), pem(node.certificate(), ca.certificate()) + pkcs8(node.keys()));
        assertEquals(node.certificate(), TlsPair.load(both, both).certificate());
        Path keyOnly = write(dir.resolve("key.pem"), pkcs8(node.keys()));
        TlsPair.Unusable refusal = assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(keyOnly, keyOnly));
        assertFalse(refusal.keyFile(), "the certificate is what is missing: " + refusal.getMessage());
        Path certOnly = write(dir.resolve("cert.pem"), pem(node.certificate()));
        assertTrue(assertThrows(TlsPair.Unusable.class, () -> TlsPair.load(certOnly, certOnly)).keyFile());
    }
}
