package io.ballast.it.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Reproducible streams of pseudo-random bytes, and their digests, for checking that large bodies arrive intact. */
public final class Bytes {

    private Bytes() {
    }

    /** {@code size} bytes drawn from {@code seed}: the same seed always gives the same bytes. */
    public static InputStream stream(long seed, long size) {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(length, left);
                for (int i = 0; i < n; i++) {
                    buffer[offset + i] = (byte) random.nextInt(256);
                }
                left -= n;
                return n;
            }
        };
    }

    /** SHA-256 of everything {@code in} gives, in hex; also counts it into {@code length[0]} when given. */
    public static String sha256(InputStream in, long[] length) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            total += n;
        }
        if (length != null) {
            length[0] = total;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static void copy(InputStream in, OutputStream out) throws IOException {
        in.transferTo(out);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
