package io.ballast.node.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Session ids: 192 random bits from {@link SecureRandom}, in URL-safe Base64 without padding (32 characters). An id
 * is never chosen by a client: a cookie that names no live session gets a new session under a new id.
 */
public final class SessionIds {

    static final int RANDOM_BYTES = 24;

    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9_-]{32}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random = new SecureRandom();

    /** A new id. */
    public String next() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** A new writer mark for {@link SessionData#writer()}: 96 random bits. */
    String writer() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** Whether {@code id} could be one of ours; anything else is not looked up at all. */
    public static boolean isWellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }
}
