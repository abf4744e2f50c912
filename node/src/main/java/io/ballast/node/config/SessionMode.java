package io.ballast.node.config;

import java.util.Locale;
import java.util.Optional;

/** Where the cluster keeps session data ({@code --sessions}). */
public enum SessionMode {
    /** Each session on {@code --session-owners} nodes (2 by default): memory grows with sessions / nodes. */
    DISTRIBUTED,
    /** Each session on every node: every read is local, every write goes to every node. */
    REPLICATED;

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SessionMode> parse(String value) {
        for (SessionMode mode : values()) {
            if (mode.flagValue().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
