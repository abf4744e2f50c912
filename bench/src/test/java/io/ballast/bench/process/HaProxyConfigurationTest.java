package io.ballast.bench.process;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class HaProxyConfigurationTest {

    @Test
    void haProxyBalancesByLeastConnectionsOverKeepAliveInOneThread() {
        String conf = HaProxy.configuration("127.9.9.6", 20010,
                List.of(URI.create("http://127.9.9.2:20001"), URI.create("http://127.9.9.3:20002")));
        assertTrue(conf.contains("balance leastconn"), conf);
        assertTrue(conf.contains("server node1 127.9.9.2:20001") && conf.contains("server node2 127.9.9.3:20002"),
                conf);
        assertTrue(conf.contains("bind 127.9.9.6:20010"), conf);
        assertTrue(conf.contains("nbthread 1"), conf);
        assertTrue(conf.contains("option http-keep-alive") && conf.contains("http-reuse always"), conf);
        assertTrue(conf.contains("mode http"), conf);
        assertTrue(conf.contains("option redispatch 1") && conf.contains("retries 3"), conf);
        assertTrue(conf.contains("default-server check inter 1s"), conf);
        assertTrue(!conf.contains("log "), "HAProxy logs nothing: " + conf);
    }
}
