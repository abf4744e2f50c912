package io.ballast.protocol;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The token a node attaches ({@value BallastHeaders#HOP}) to a request it forwards, so that the receiving peer
 * serves it and never forwards it again.
 *
 * <p>It is an HMAC-SHA256, keyed by the cluster's hop key, over the sender, the target, the method, the request
 * target (path and query), a timestamp and a nonce. A client cannot make one without the key; a token is good for
 * one target, one request line and {@link #VALIDITY_MS} ms; the receiving node refuses replays by the nonce, a
 * {@link HopNonce}.
 *
 * <p>Wire form: {@code v1.<sender>.<target>.<timestamp ms>.<nonce>.<mac>}, the names and MAC base64url-encoded.
 */
public final class HopToken {

    /** How long after it was made a token is accepted, either way, to allow for clock skew between hosts. */
    public static final long VALIDITY_MS = 10_000;

    private static final String VERSION = "v1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    /** A timestamp as {@link Long#toString} writes it: one spelling only, so no altered text verifies. */
    private static final Pattern CANONICAL_MS = Pattern.compile("0|[1-9][0-9]{0,18}");

    /** What a valid token says. */
    public record Claims(String sender, String target, long timestampMs, String nonce) {
    }

    /** Prefixed to the secret before hashing; the cluster key uses another label, so neither gives away the other. */
    static final String SECRET_LABEL = "ballast hop key\n";

    private final byte[] key;
    /** A {@link Mac} costs a provider look-up and a key schedule to make: each thread keeps one, made once. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /**
     * The hop key of nodes that share a {@code --secret}: SHA-256 of {@value #SECRET_LABEL} and the secret. A plain
     * hash, not a slow one: the secret is meant to be random.
     */
    public static byte[] keyForSecret(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((SECRET_LABEL + secret).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Hop tokens under the key of {@link #keyForSecret}. */
    public static HopToken forSecret(String secret) {
        return new HopToken(keyForSecret(secret));
    }

    /**
     * @param key the cluster's hop key, at least 16 bytes
     */
    public HopToken(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("hop key: " + key.length + " bytes (expected: at least 16)");
        }
        this.key = key.clone();
    }

    /** Signs a forward of {@code method requestTarget} from {@code sender} to {@code target}. */
    public String sign(String sender, String target, String method, String requestTarget, long nowMs, String nonce) {
        String s = B64.encodeToString(sender.getBytes(StandardCharsets.UTF_8));
        String t = B64.encodeToString(target.getBytes(StandardCharsets.UTF_8));
        String mac = B64.encodeToString(mac(s, t, method, requestTarget, nowMs, nonce));
        return String.join(".", VERSION, s, t, Long.toString(nowMs), nonce, mac);
    }

    /**
     * Checks {@code token} for a request {@code method requestTarget} arriving at {@code self} at {@code nowMs}.
     *
     * @return the claims when the token is well formed, made with this key for exactly this request and this node,
     *         and fresh; empty otherwise (replays are the caller's to refuse, by nonce)
     */
    public Optional<Claims> verify(String token, String self, String method, String requestTarget, long nowMs) {
        if (token == null || token.length() > 1024) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 6 || !parts[0].equals(VERSION) || parts[4].isEmpty() || parts[4].length() > 64
                || !CANONICAL_MS.matcher(parts[3]).matches()) {
            return Optional.empty();
        }
        long timestamp;
        String sender;
        String target;
        try {
            timestamp = Long.parseLong(parts[3]);
            sender = new String(B64D.decode(parts[1]), StandardCharsets.UTF_8);
            target = new String(B64D.decode(parts[2]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        byte[] expected = B64.encodeToString(mac(parts[1], parts[2], method, requestTarget, timestamp, parts[4]))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[5].getBytes(StandardCharsets.US_ASCII)) || !target.equals(self)
                || Math.abs(nowMs - timestamp) > VALIDITY_MS) {
            return Optional.empty();
        }
        return Optional.of(new Claims(sender, target, timestamp, parts[4]));
    }

    private byte[] mac(String sender, String target, String method, String requestTarget, long timestamp,
                       String nonce) {
        String signed = String.join("\n", VERSION, sender, target, method, requestTarget, Long.toString(timestamp),
                nonce);
        return macs.get().doFinal(signed.getBytes(StandardCharsets.UTF_8)); // doFinal leaves the Mac ready again
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
