package io.ballast.protocol;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The nonce of a hop token: the sender's epoch (random, new each time the sender starts) and a counter that the
 * sender counts up from 1. A receiver tells a replay from a new token by the counter, against a sliding window per
 * sender epoch, instead of remembering every nonce it has seen.
 *
 * <p>Wire form: {@code <epoch, 11 base64url characters>~<counter in decimal>}.
 */
public record HopNonce(String epoch, long counter) {

    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{11}~[1-9][0-9]{0,18}");

    @Override
    public String toString() {
        return epoch + '~' + counter;
    }

    /** Reads a nonce; empty for anything else. */
    public static Optional<HopNonce> parse(String text) {
        if (text == null || !FORM.matcher(text).matches()) {
            return Optional.empty();
        }
        int tilde = text.indexOf('~');
        try {
            return Optional.of(new HopNonce(text.substring(0, tilde), Long.parseLong(text.substring(tilde + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // above Long.MAX_VALUE
        }
    }

    /** One sender's nonces: thread-safe, one atomic increment each. */
    public static final class Source {
        private final String epoch;
        private final AtomicLong counter = new AtomicLong();

        public Source() {
            byte[] bytes = new byte[8];
            new SecureRandom().nextBytes(bytes);
            this.epoch = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        public String next() {
            return epoch + '~' + counter.incrementAndGet();
        }
    }
}
