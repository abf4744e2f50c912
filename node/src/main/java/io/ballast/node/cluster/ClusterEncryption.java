package io.ballast.node.cluster;

import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.stack.Protocol;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The layers that close a cluster to nodes without its {@code --secret}, placed right above the transport so that
 * every message of every protocol, discovery and failure detection included, travels sealed:
 *
 * <ol>
 *   <li>{@link WrongKeyFilter} drops what was not sealed under this cluster's key, and says so once a minute per
 *       sender, instead of JGroups' error line per message;</li>
 *   <li>{@code SYM_ENCRYPT} with {@value #CIPHER}, an authenticated cipher (AEAD, RFC 8439), under a key derived from
 *       the secret ({@link #key}): a message altered, forged or sealed under another key fails its tag and is
 *       dropped. A fresh random {@value #NONCE_BYTES}-byte nonce per message;</li>
 *   <li>{@code SERIALIZE} turns each message, with its destination, sender, flags and every header (sequence
 *       numbers, view and discovery data), into the payload of a new message, so that the cipher covers all of it
 *       and not only the payload. Without it the headers would travel in clear and unauthenticated, and a captured
 *       message could be sent again under a new sequence number.</li>
 * </ol>
 *
 * <p>Why this cipher: JGroups 5.4's {@code SYM_ENCRYPT} uses what the JDK cipher named by {@code sym_algorithm}
 * gives. Its default, {@code AES}, is AES in ECB mode, and the {@code AES/CBC/PKCS5Padding} of JGroups' samples
 * hides content but detects no change. {@code AES/GCM} would be authenticated, but {@code SYM_ENCRYPT} hands the
 * cipher its nonce as an {@code IvParameterSpec}, which the JDK's GCM refuses; ChaCha20-Poly1305 takes its nonce
 * that way, so it runs in {@code SYM_ENCRYPT} unchanged.
 */
public final class ClusterEncryption {

    /** The JDK cipher {@code SYM_ENCRYPT} seals messages with. */
    static final String CIPHER = "ChaCha20-Poly1305";

    /** The nonce length ChaCha20-Poly1305 takes; {@code SYM_ENCRYPT} draws a new one per message. */
    static final int NONCE_BYTES = 12;

    /** Prefixed to the secret before hashing; the hop key uses another label, so the two keys are unrelated. */
    static final String KEY_LABEL = "ballast cluster key\n";

    private ClusterEncryption() {
    }

    /**
     * The 256-bit cluster key: SHA-256 of {@value #KEY_LABEL} and the secret. Every node with the same secret
     * derives the same key; nothing else is exchanged.
     */
    public static SecretKey key(String secret) {
        try {
            byte[] key = MessageDigest.getInstance("SHA-256")
                    .digest((KEY_LABEL + secret).getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(key, CIPHER);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The layers to put right above the transport, bottom first: filter, encryption, serialization. */
    static List<Protocol> layers(String secret) {
        SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(key(secret));
        encrypt.symAlgorithm(CIPHER); // setSecretKey took the key's algorithm already: said here all the same
        encrypt.symIvLength(NONCE_BYTES);
        return List.of(new WrongKeyFilter(encrypt), encrypt, new SERIALIZE());
    }
}
