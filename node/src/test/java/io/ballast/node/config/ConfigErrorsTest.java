package io.ballast.node.config;

import io.ballast.node.edge.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad value stops the node with one line naming the option, the value and what was expected. */
class ConfigErrorsTest {

    /** The message for {@code args}, after a {@code --bind 127.0.0.1} so only the bad value can fail. */
    static String refusal(String... args) {
        List<String> all = new ArrayList<>(List.of("--bind", "127.0.0.1"));
        all.addAll(List.of(args));
        String message = assertThrows(ConfigException.class,
                () -> ConfigParser.parse(all.toArray(String[]::new), Map.of())).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    /** Checks the message names {@code option} and {@code value} and says what was expected. */
    static void assertRefused(String option, String value, String expected, String... args) {
        String message = refusal(args);
        assertTrue(message.startsWith(option + ": '" + value + "' (expected: "), message);
        assertTrue(message.contains(expected), message + " should say " + expected);
    }

    @Test
    void httpPortMustBeAPort() {
        assertEquals("--http-port: '0' (expected: a port from 1 to 65535)", refusal("--http-port", "0"));
        assertRefused("--http-port", "70000", "a port from 1 to 65535", "--http-port", "70000");
        assertRefused("--http-port", "abc", "a port from 1 to 65535", "--http-port=abc");
    }

    @Test
    void rateLimitIsARatePerUnitWithAnOptionalBurst() {
        assertRefused("--rate-limit", "50", "a rate like 50/s, 600/m or 10000/h", "--rate-limit", "50");
        assertRefused("--rate-limit", "0/s", "(above 0)", "--rate-limit", "0/s");
        assertRefused("--rate-limit", "50/s,burst=0", "optionally with a burst like 50/s,burst=100",
                "--rate-limit", "50/s,burst=0");
    }

    @Test
    void clusterPortLeavesRoomForFailureDetection() {
        assertRefused("--cluster-port", "65433", "a port from 1 to 65432", "--cluster-port", "65433");
    }

    @Test
    void environmentValuesAreCheckedLikeFlagsAndNamedByTheirVariable() {
        String message = assertThrows(ConfigException.class, () -> ConfigParser.parse(
                new String[] {"--bind", "127.0.0.1"}, Map.of("BALLAST_CAPACITY", "lots"))).getMessage();
        assertTrue(message.startsWith("--capacity (from BALLAST_CAPACITY): 'lots'"), message);
    }

    @Test
    void unknownFlagIsNamedWithTheKnownOnes() {
        String message = refusal("--colour", "red");
        assertTrue(message.startsWith("unknown option '--colour' (expected one of: --name, --bind, --http-port"),
                message);
        assertTrue(refusal("demo").startsWith("unknown option 'demo'"));
    }

    @Test
    void flagAtTheEndWithoutValueIsRefused() {
        assertEquals("--capacity: missing value (expected: N)", refusal("--capacity"));
    }

    @Test
    void discoveryMustBeMulticastStaticOrDns() {
        assertRefused("--discovery", "bogus", "multicast, static:host[:port],... or dns:name[@server[:port]]",
                "--discovery", "bogus");
        assertRefused("--discovery", "static:", "none empty", "--discovery", "static:");
        assertRefused("--discovery", "static:a,,b", "none empty", "--discovery", "static:a,,b");
        assertRefused("--discovery", "static:host:99999", "a port from 1 to 65535 after 'host:'",
                "--discovery", "static:host:99999");
        assertRefused("--discovery", "dns:", "a DNS name after dns:", "--discovery", "dns:");
    }

    @Test
    void nameIsShortLettersDigitsDotsAndDashes() {
        String expected = "1 to 64 letters, digits, '.', '_' or '-'";
        assertRefused("--name", "my node", expected, "--name", "my node");
        String tooLong = "n".repeat(65);
        assertRefused("--name", tooLong, expected, "--name", tooLong);
        assertRefused("--cluster", "-dash-first", expected, "--cluster", "-dash-first");
    }

    @Test
    void numbersAndModesOutOfRangeAreRefused() {
        assertRefused("--capacity", "0", "a whole number from 1 to 100000", "--capacity", "0");
        assertRefused("--weight", "0", "a whole number from 1 to 1000", "--weight", "0");
        assertRefused("--balance", "sometimes", "adaptive, always or off", "--balance", "sometimes");
        assertRefused("--strategy", "fastest",
                "least-loaded, round-robin, random, weighted-round-robin or least-connections",
                "--strategy", "fastest");
    }

    @Test
    void shortSecretIsRefusedWithoutShowingIt() {
        assertEquals("--secret: a secret of 5 characters (expected: at least 16)", refusal("--secret", "short"));
        assertFalse(refusal("--secret=hunter2").contains("hunter2"));
    }

    @Test
    void shortSecretInAFileIsRefusedWithoutShowingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "tiny-secret\n");
        String message = refusal("--secret", "file:" + file);
        assertTrue(message.startsWith("--secret: a secret of 11 characters"), message);
        assertFalse(message.contains("tiny-secret"), message);
    }

    @Test
    void unreadableSecretFileIsNamed() {
        assertRefused("--secret", "file:/nonexistent", "/nonexistent cannot be read", "--secret", "file:/nonexistent");
    }

    @Test
    void upstreamMustBeAnHttpUrlWithoutPath() {
        String expected = "an http URL of a local application";
        assertRefused("--upstream", "ftp://x", expected, "--upstream", "ftp://x");
        assertRefused("--upstream", "http://h:1/path", expected, "--upstream", "http://h:1/path");
        assertRefused("--upstream", "http://h:1/?q=1", expected, "--upstream", "http://h:1/?q=1");
    }

    @Test
    void bindMustBeOneAddressOfThisMachine() {
        assertRefused("--bind", "8.8.8.8", "an address of one of this machine's interfaces", "--bind", "8.8.8.8");
        assertRefused("--bind", "0.0.0.0", "not the wildcard", "--bind", "0.0.0.0");
    }

    @Test
    void maxBodyTakesBytesOrBinaryUnits() {
        assertRefused("--max-body", "10q", "a size from 1k to 64g", "--max-body", "10q");
        assertRefused("--max-body", "100", "a size from 1k to 64g", "--max-body", "100");
    }

    @Test
    void sessionOptionsOutOfRangeAreRefused() {
        assertRefused("--sessions", "sticky", "distributed or replicated", "--sessions", "sticky");
        assertRefused("--session-owners", "0", "a whole number from 1 to 16", "--session-owners", "0");
        assertRefused("--session-owners", "17", "a whole number from 1 to 16", "--session-owners", "17");
        assertRefused("--session-owners", "3", "no value with --sessions replicated",
                "--sessions", "replicated", "--session-owners", "3");
        String duration = "a duration from 1s to 30d in whole s, m, h or d";
        for (String bad : new String[] {"0s", "500ms", "31d", "1.5h", "soon", "-1s", ""}) {
            assertRefused("--session-timeout", bad, duration, "--session-timeout", bad);
        }
        assertRefused("--session-cookie", "my cookie", "1 to 64 letters, digits", "--session-cookie", "my cookie");
        assertRefused("--session-cookie", "a=b", "1 to 64 letters, digits", "--session-cookie", "a=b");
        assertRefused("--session-cookie", "a;b", "1 to 64 letters, digits", "--session-cookie", "a;b");
        assertRefused("--data-dir", "  ", "a directory path", "--data-dir", "  ");
        assertRefused("--data-dir", "a\u0000b", "a directory path", "--data-dir", "a\u0000b");
    }

    @Test
    void badSessionTimeoutFromTheEnvironmentNamesItsVariable() {
        String message = assertThrows(ConfigException.class, () -> ConfigParser.parse(
                new String[] {"--bind", "127.0.0.1"}, Map.of("BALLAST_SESSION_TIMEOUT", "forever"))).getMessage();
        assertTrue(message.startsWith("--session-timeout (from BALLAST_SESSION_TIMEOUT): 'forever'"), message);
    }

    @Test
    void timeoutsOutOfRangeAreRefused() {
        String range = "a duration from 100ms to 1 hour, like 500ms, 10s or 2m";
        for (String bad : new String[] {"50ms", "61m", "2h", "10", "1.5s", "soon", "-1s", ""}) {
            assertRefused("--request-timeout", bad, "0 (off), or " + range, "--request-timeout", bad);
            assertRefused("--header-timeout", bad, range, "--header-timeout", bad);
            assertRefused("--idle-timeout", bad, range, "--idle-timeout", bad);
        }
        assertEquals("--header-timeout: '0' (expected: " + range + ")", refusal("--header-timeout", "0"));
        assertEquals("--idle-timeout: '0s' (expected: " + range + ")", refusal("--idle-timeout", "0s"));
    }

    @Test
    void tlsNeedsBothFilesUsableAndMatching(@TempDir Path dir) {
        TestCertificates.Issued ca = TestCertificates.ca("test ca");
        TestCertificates.Issued node = TestCertificates.node(ca, "127.0.0.1", "EC");
        TestCertificates.Issued other = TestCertificates.node(ca, "127.0.0.1", "EC");
        String cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.pem(node.certificate(),
                ca.certificate())).toString();
        String key = TestCertificates.write(dir.resolve("key.pem"), TestCertificates.pkcs8(node.keys())).toString();
        String otherKey = TestCertificates.write(dir.resolve("other.pem"), TestCertificates.pkcs8(other.keys()))
                .toString();
        String garbage = TestCertificates.write(dir.resolve("garbage.pem"), "hello\n").toString();
        String missing = dir.resolve("missing.pem").toString();

        assertRefused("--tls-cert", cert, "together with --tls-key FILE", "--tls-cert", cert);
        assertRefused("--tls-key", key, "together with --tls-cert FILE", "--tls-key", key);
        assertRefused("--tls-key", otherKey, "this key is not the private key of the certificate in " + cert,
                "--tls-cert", cert, "--tls-key", otherKey);
        assertRefused("--tls-cert", garbage, "no PEM certificate in it", "--tls-cert", garbage, "--tls-key", key);
        assertRefused("--tls-key", garbage, "no PEM private key in it", "--tls-cert", cert, "--tls-key", garbage);
        assertRefused("--tls-cert", missing, "no such file", "--tls-cert", missing, "--tls-key", key);
        assertRefused("--http-redirect-port", "8080", "no value without --tls-cert and --tls-key",
                "--http-redirect-port", "8080");
        assertRefused("--http-redirect-port", "8443", "a port other than --http-port",
                "--http-port", "8443", "--tls-cert", cert, "--tls-key", key, "--http-redirect-port", "8443");
        assertRefused("--http-redirect-port", "0", "a port from 1 to 65535",
                "--tls-cert", cert, "--tls-key", key, "--http-redirect-port", "0");

        NodeConfig config = ((ConfigParser.Run) ConfigParser.parse(new String[] {"--bind", "127.0.0.1",
                "--http-port", "8443", "--tls-cert", cert, "--tls-key", key, "--http-redirect-port", "8080"},
                Map.of())).config();
        assertEquals("https://127.0.0.1:8443", config.url());
        assertEquals(8080, config.httpRedirectPort().getAsInt());
    }
}
