package io.ballast.node.cluster;

import io.ballast.node.config.NodeConfig;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_SOCK2;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class JGroupsStackTest {

    private static NodeConfig.Builder node() {
        return NodeConfig.builder().name("n1").bind("127.0.0.1").cluster("stack-test")
                .discovery("static:127.0.0.1:7800,127.0.0.2:7800");
    }

    @Test
    void diagnosticsAreOffAndFailureDetectionListensOnTheBindAddressOnly() throws Exception {
        for (NodeConfig config : List.of(node().build(), node().secret("a cluster secret of some length").build(),
                node().discovery("multicast").build())) {
            try (JChannel channel = JGroupsStack.channel(config)) {
                assertFalse(channel.getProtocolStack().getTransport().getDiagnosticsHandler().isEnabled(),
                        config.discovery() + ": diagnostics");
                FD_SOCK2 fd = channel.getProtocolStack().findProtocol(FD_SOCK2.class);
                assertEquals(InetAddress.getByName("127.0.0.1"), fd.getBindAddress());
            }
        }
    }
}
