package io.ballast.node.cluster;

import io.ballast.protocol.HopToken;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.NakAckHeader2;
import org.jgroups.stack.Protocol;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encryption layers of a node, run between a stand-in transport and a stand-in top of the stack: what one node
 * seals, a node with the same secret reads back whole; a node with another secret, or none, reads nothing.
 */
class ClusterEncryptionTest {

    private static final String SECRET = "correct horse battery staple";
    private static final short NAKACK2_ID = ClassConfigurator.getProtocolId(NAKACK2.class);
    private static final byte[] PAYLOAD = "session 42: count 7".getBytes(StandardCharsets.UTF_8);

    /** The layers of one node, with what they send down and pass up captured at either end. */
    private static final class Layers {
        final List<Message> sent = new ArrayList<>();
        final List<Message> delivered = new ArrayList<>();
        final List<Protocol> protocols;

        Layers(List<Protocol> protocols) throws Exception {
            this.protocols = protocols;
            Protocol wire = new Protocol() {
                @Override
                public Object down(Message msg) {
                    sent.add(msg);
                    return null;
                }
            };
            Protocol top = new Protocol() {
                @Override
                public Object up(Message msg) {
                    delivered.add(msg);
                    return null;
                }
            };
            Protocol below = wire;
            for (Protocol protocol : protocols) {
                below.setUpProtocol(protocol);
                protocol.setDownProtocol(below);
                protocol.init();
                below = protocol;
            }
            below.setUpProtocol(top);
            top.setDownProtocol(below);
        }

        static Layers withSecret(String secret) throws Exception {
            return new Layers(ClusterEncryption.layers(secret));
        }

        static Layers withoutSecret() throws Exception {
            return new Layers(List.of(new WrongKeyFilter()));
        }

        /** Seals a message as it leaves a node: what goes on the wire. */
        Message seal(Message msg) {
            sent.clear();
            protocols.get(protocols.size() - 1).down(msg);
            assertEquals(1, sent.size(), "messages sent");
            return sent.get(0);
        }

        /** What the layers above would get of a message received off the wire, or null when it was dropped. */
        Message receive(Message wireMessage) {
            delivered.clear();
            protocols.get(0).up(wireMessage);
            return delivered.isEmpty() ? null : delivered.get(0);
        }

        long dropped() {
            return ((WrongKeyFilter) protocols.get(0)).dropped();
        }
    }

    private static Message sequenced() {
        return new BytesMessage(null, PAYLOAD).setSrc(UUID.randomUUID())
                .putHeader(NAKACK2_ID, NakAckHeader2.createMessageHeader(57));
    }

    /** A received copy of a message on the wire, as the transport would make of its bytes. */
    private static Message onTheWire(Message msg) {
        return msg.copy(true, true);
    }

    @Test
    void keyIsTheSameForTheSameSecretDiffersForAnotherAndIsUnrelatedToTheHopKey() throws Exception {
        byte[] key = ClusterEncryption.key(SECRET).getEncoded();
        assertEquals(32, key.length);
        assertArrayEquals(key, ClusterEncryption.key(SECRET).getEncoded());
        assertFalse(Arrays.equals(key, ClusterEncryption.key(SECRET + "!").getEncoded()));
        // the hop key exactly as a node derives it from the same secret
        assertFalse(Arrays.equals(key, HopToken.keyForSecret(SECRET)));
    }

    @Test
    void aNodeWithTheSameSecretReadsTheMessageBackWithItsSequenceNumber() throws Exception {
        Message sent = Layers.withSecret(SECRET).seal(sequenced());
        Message received = Layers.withSecret(SECRET).receive(onTheWire(sent));
        assertNotNull(received, "delivered");
        assertArrayEquals(PAYLOAD, received.getArray());
        NakAckHeader2 header = received.getHeader(NAKACK2_ID);
        assertEquals(57, header.getSeqno());
    }

    @Test
    void onTheWireNeitherThePayloadNorTheSequenceNumberShows() throws Exception {
        Message sent = Layers.withSecret(SECRET).seal(sequenced());
        assertNull(sent.getHeader(NAKACK2_ID), "the sequence number travels inside the sealed payload");
        String wire = new String(sent.getArray(), sent.getOffset(), sent.getLength(), StandardCharsets.ISO_8859_1);
        assertFalse(wire.contains("session 42"), "payload in clear");
    }

    /**
     * Each altered copy goes to a receiver of its own: the JDK's ChaCha20 refuses to be set up twice in a row with
     * the same key and nonce, even to decrypt, so a second copy on the same receiver could be dropped for that
     * reason rather than for its tag.
     */
    @Test
    void aMessageAlteredOnTheWayIsDropped() throws Exception {
        Message sent = Layers.withSecret(SECRET).seal(sequenced());
        for (int i = 0; i < sent.getLength(); i += 5) {
            Message altered = onTheWire(sent);
            byte[] bytes = altered.getArray().clone();
            bytes[altered.getOffset() + i] ^= 0x01;
            altered.setArray(bytes, altered.getOffset(), altered.getLength());
            Layers receiver = Layers.withSecret(SECRET);
            assertNull(receiver.receive(altered), "byte " + i + " of " + sent.getLength() + " flipped, yet delivered");
            assertEquals(0, receiver.dropped(), "dropped by the cipher, not the filter");
        }
        assertNotNull(Layers.withSecret(SECRET).receive(onTheWire(sent)), "the unaltered message");
    }

    @Test
    void aNodeWithAnotherSecretOrNoneReadsNothingAndTheFilterCountsIt() throws Exception {
        Message sent = Layers.withSecret(SECRET).seal(sequenced());

        Layers otherSecret = Layers.withSecret("another secret, just as long");
        assertNull(otherSecret.receive(onTheWire(sent)));
        assertEquals(1, otherSecret.dropped());

        Layers noSecret = Layers.withoutSecret();
        assertNull(noSecret.receive(onTheWire(sent)));
        assertEquals(1, noSecret.dropped());
    }

    @Test
    void aNodeWithASecretDropsWhatANodeWithoutOneSends() throws Exception {
        Layers receiver = Layers.withSecret(SECRET);
        assertNull(receiver.receive(sequenced()));
        assertEquals(1, receiver.dropped());
        assertTrue(Layers.withoutSecret().receive(sequenced()) != null, "open nodes read each other");
    }
}
