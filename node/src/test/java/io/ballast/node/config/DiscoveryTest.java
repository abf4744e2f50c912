package io.ballast.node.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DiscoveryTest {

    static Discovery parse(String spec) {
        return Discovery.parse("--discovery", spec);
    }

    @Test
    void multicastIsTheDefault() {
        NodeConfig config = assertInstanceOf(ConfigParser.Run.class,
                ConfigParser.parse(new String[] {"--bind", "127.0.0.1"}, Map.of())).config();
        assertEquals(new Discovery.Multicast(), config.discovery());
    }

    @Test
    void staticListKeepsOrderAndPortsWithZeroForNone() {
        assertEquals(new Discovery.Static(List.of(new Discovery.HostPort("10.0.0.1", 0),
                        new Discovery.HostPort("10.0.0.2", 7900), new Discovery.HostPort("node-c.example", 0))),
                parse("static:10.0.0.1,10.0.0.2:7900, node-c.example"));
    }

    @Test
    void staticListPrintsAsItWasWritten() {
        assertEquals("static:127.0.0.1:7800,127.0.0.2", parse("static:127.0.0.1:7800,127.0.0.2").toString());
    }

    @Test
    void dnsNameWithAndWithoutServer() {
        assertEquals(new Discovery.Dns("ballast.test", null), parse("dns:ballast.test"));
        assertEquals(new Discovery.Dns("ballast.test", "127.0.0.1:5353"), parse("dns:ballast.test@127.0.0.1:5353"));
        assertEquals(new Discovery.Dns("ballast.test", "ns1.example"), parse("dns:ballast.test@ns1.example"));
    }

    @Test
    void dnsServerWithBadPortIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("dns:ballast.test@127.0.0.1:0"));
        assertEquals("--discovery: 'dns:ballast.test@127.0.0.1:0' (expected: a port from 1 to 65535 after "
                + "'127.0.0.1:')", e.getMessage());
    }

    @Test
    void discoveryFlagReachesTheConfig() {
        NodeConfig config = assertInstanceOf(ConfigParser.Run.class, ConfigParser.parse(
                new String[] {"--bind", "127.0.0.1", "--discovery", "dns:ballast.test@127.0.0.1:5353"}, Map.of()))
                .config();
        assertEquals(new Discovery.Dns("ballast.test", "127.0.0.1:5353"), config.discovery());
    }
}
