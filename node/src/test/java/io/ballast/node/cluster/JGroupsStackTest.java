package io.ballast.node.cluster;

import io.ballast.node.config.NodeConfig;
import org.jgroups.JChannel;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.PING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JGroupsStackTest {

    private static final String SECRET = "a cluster secret of some length";

    private static NodeConfig.Builder node() {
        return NodeConfig.builder().name("n1").bind("127.0.0.1").cluster("stack-test")
                .discovery("static:127.0.0.1:7800,127.0.0.2:7800");
    }

    /** The protocols of {@code config}'s stack, bottom (the transport) first. */
    private static List<Protocol> bottomUp(NodeConfig config) throws Exception {
        try (JChannel channel = JGroupsStack.channel(config)) {
            List<Protocol> protocols = new ArrayList<>(channel.getProtocolStack().getProtocols());
            java.util.Collections.reverse(protocols);
            return protocols;
        }
    }

    private static List<Class<?>> lowestFour(NodeConfig config) throws Exception {
        return bottomUp(config).subList(0, 4).stream().<Class<?>>map(Object::getClass).toList();
    }

    private static <T extends Protocol> T find(List<Protocol> protocols, Class<T> type) {
        return protocols.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
    }

    @Test
    void withASecretEveryProtocolAboveTheTransportIsSealedDiscoveryIncluded() throws Exception {
        assertEquals(List.of(TCP.class, WrongKeyFilter.class, SYM_ENCRYPT.class, SERIALIZE.class),
                lowestFour(node().secret(SECRET).build()));
        assertEquals(TCPPING.class, bottomUp(node().secret(SECRET).build()).get(4).getClass());
        assertEquals(List.of(UDP.class, WrongKeyFilter.class, SYM_ENCRYPT.class, SERIALIZE.class),
                lowestFour(node().discovery("multicast").secret(SECRET).build()));
        assertEquals(PING.class, bottomUp(node().discovery("multicast").secret(SECRET).build()).get(4).getClass());
    }

    @Test
    void encryptionUsesAnAuthenticatedCipherUnderTheKeyFromTheSecret() throws Exception {
        SYM_ENCRYPT encrypt = find(bottomUp(node().secret(SECRET).build()), SYM_ENCRYPT.class);
        assertEquals("ChaCha20-Poly1305", encrypt.symAlgorithm());
        assertEquals(12, encrypt.simIvLength());
        assertArrayEquals(ClusterEncryption.key(SECRET).getEncoded(), encrypt.secretKey().getEncoded());
    }

    @Test
    void withoutASecretNothingIsEncryptedAndOnlyTheFilterIsAdded() throws Exception {
        List<Protocol> protocols = bottomUp(node().build());
        assertEquals(List.of(TCP.class, WrongKeyFilter.class, TCPPING.class),
                protocols.subList(0, 3).stream().map(Object::getClass).toList());
        assertNull(find(protocols, SYM_ENCRYPT.class));
        assertNull(find(protocols, SERIALIZE.class));
    }

    @Test
    void withASecretUnicastConnectionsAreNeverClosedForIdlenessWithoutOneTheyAre() throws Exception {
        assertEquals(0, find(bottomUp(node().secret(SECRET).build()), UNICAST3.class).getConnExpiryTimeout());
        assertTrue(find(bottomUp(node().build()), UNICAST3.class).getConnExpiryTimeout() > 0);
    }

    @Test
    void diagnosticsAreOffAndFailureDetectionListensOnTheBindAddressOnly() throws Exception {
        for (NodeConfig config : List.of(node().build(), node().secret(SECRET).build(),
                node().discovery("multicast").build())) {
            try (JChannel channel = JGroupsStack.channel(config)) {
                assertFalse(channel.getProtocolStack().getTransport().getDiagnosticsHandler().isEnabled(),
                        config.discovery() + ": diagnostics");
                FD_SOCK2 fd = channel.getProtocolStack().findProtocol(FD_SOCK2.class);
                assertEquals(InetAddress.getByName("127.0.0.1"), fd.getBindAddress());
            }
        }
    }

    @Test
    void connectionsToPeersStartFromTheBindAddressForTheTransportAndFailureDetection() throws Exception {
        List<Protocol> protocols = bottomUp(node().bind("127.0.0.9").build());
        assertEquals(InetAddress.getByName("127.0.0.9"), find(protocols, TCP.class).getClientBindAddr());
        FD_SOCK2 fd = find(protocols, FD_SOCK2.class);
        assertEquals(BoundFailureDetection.class, fd.getClass());
        assertEquals(ClassConfigurator.getProtocolId(FD_SOCK2.class), fd.getId(),
                "the same protocol id as FD_SOCK2, so that its messages are FD_SOCK2's");
    }
}
