package io.ballast.node.edge;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class EdgeTlsTest {

    @Test
    void onlyModernSuitesAreEnabled() {
        List<String> suites = Arrays.asList(EdgeTls.modernSuites());
        assertTrue(suites.contains("TLS_AES_128_GCM_SHA256"), suites.toString());
        assertTrue(suites.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), "HTTP/2 needs it: " + suites);
        assertTrue(suites.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), suites.toString());
        assertTrue(suites.stream().noneMatch(s -> s.contains("CBC") || s.startsWith("TLS_RSA_")
                || s.startsWith("TLS_DHE_")), suites.toString());
    }
}
