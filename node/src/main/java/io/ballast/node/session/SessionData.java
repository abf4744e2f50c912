package io.ballast.node.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ballast.protocol.Json;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One session as the cluster stores it, immutable: a JSON string under the session id. Every write makes a new
 * {@link #version()} (the one it replaced plus one) and names its {@link #writer()}, so that a writer can tell
 * whether its own write landed, and two copies of a session can be ordered.
 *
 * <pre>
 * {"v":7,"w":"Zk3…","created":1767225600000,"accessed":1767225612000,"timeout":1800,"attributes":{"count":{"i":6}}}
 * {"gone":true,"v":8,"w":"Qm1…","accessed":1767225700000,"timeout":1800}      (invalidated: a tombstone)
 * </pre>
 *
 * <p>A session is idle-expired {@code timeout} seconds after its last access. To keep reads free of writes, a read
 * records its access only when the recorded one is older than {@link #touchAfterMs} (a tenth of the timeout, at most
 * a minute): so the recorded access may lag the true one by that much, and the session is kept for
 * {@code timeout + touchAfter} after the recorded access: never less than {@code timeout} after the true last access,
 * at most {@code touchAfter} more. The cache entry gets the same lifespan, so expiry happens in the cache, on every
 * node alike.
 *
 * <p>An invalidated session stays as a tombstone for as long as any copy of it could still be alive (its own
 * timeout), so that a copy restored from a node's disk backup cannot bring it back.
 *
 * @param gone       whether this is the tombstone of an invalidated session
 * @param version    1 when created, one more with every write
 * @param writer     random, new for every logical write (kept through its retries)
 * @param created    when the session was created, epoch ms
 * @param accessed   the last access recorded, epoch ms
 * @param timeout    seconds of idleness after which the session expires; 0 or less: never
 * @param attributes attribute name → its {@link AttributeCodec} form, in insertion order
 */
public record SessionData(boolean gone, long version, String writer, long created, long accessed, int timeout,
                          Map<String, JsonNode> attributes) {

    /** The most a recorded access may lag a real one. */
    static final long MAX_TOUCH_AFTER_MS = 60_000;

    private static final String TOMBSTONE_PREFIX = "{\"gone\":true";

    public SessionData {
        Objects.requireNonNull(writer, "writer");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A new session, version 1. */
    public static SessionData fresh(long now, int timeoutSeconds, String writer) {
        return new SessionData(false, 1, writer, now, now, timeoutSeconds, Map.of());
    }

    /** This session with {@code name} set to {@code encoded} (an {@link AttributeCodec} form), same version. */
    public SessionData with(String name, JsonNode encoded) {
        Map<String, JsonNode> changed = new LinkedHashMap<>(attributes);
        changed.put(name, encoded);
        return new SessionData(gone, version, writer, created, accessed, timeout, changed);
    }

    /** This session without {@code name}, same version. */
    public SessionData without(String name) {
        if (!attributes.containsKey(name)) {
            return this;
        }
        Map<String, JsonNode> changed = new LinkedHashMap<>(attributes);
        changed.remove(name);
        return new SessionData(gone, version, writer, created, accessed, timeout, changed);
    }

    /** This session with another idle timeout, same version. */
    public SessionData withTimeout(int timeoutSeconds) {
        return new SessionData(gone, version, writer, created, accessed, timeoutSeconds, attributes);
    }

    /** The write that replaces this version: the next version, by {@code newWriter}, accessed {@code now}. */
    public SessionData next(String newWriter, long now) {
        return new SessionData(gone, version + 1, newWriter, created, Math.max(accessed, now), timeout, attributes);
    }

    /** The tombstone that replaces this version when the session is invalidated {@code now}. */
    public SessionData tombstone(String newWriter, long now) {
        return new SessionData(true, version + 1, newWriter, created, Math.max(accessed, now), timeout, Map.of());
    }

    /** The value of attribute {@code name}, decoded, or null. */
    public Object attribute(String name) {
        JsonNode encoded = attributes.get(name);
        return encoded == null ? null : AttributeCodec.decode(encoded);
    }

    /** Whether {@code other} is an older copy of the same session than this. */
    public boolean newerThan(SessionData other) {
        return version > other.version;
    }

    /** How much the recorded access may lag the real one, for a session with this timeout. */
    public static long touchAfterMs(int timeoutSeconds) {
        return timeoutSeconds <= 0 ? MAX_TOUCH_AFTER_MS : Math.min(MAX_TOUCH_AFTER_MS, timeoutSeconds * 100L);
    }

    /** Whether a read {@code now} should record its access: the recorded one lags by more than allowed. */
    public boolean needsTouch(long now) {
        return !gone && now - accessed > touchAfterMs(timeout);
    }

    /**
     * When this copy stops mattering, epoch ms: a session's idle expiry; for a tombstone, the latest moment a copy of
     * the session it buried could still be alive. {@link Long#MAX_VALUE} for a session that never expires.
     *
     * @param fallbackTimeout the timeout, in seconds, that keeps the tombstone of a never-expiring session
     */
    public long expiresAt(int fallbackTimeout) {
        int seconds = timeout > 0 ? timeout : (gone ? fallbackTimeout : 0);
        if (seconds <= 0) {
            return Long.MAX_VALUE;
        }
        return accessed + seconds * 1000L + touchAfterMs(seconds);
    }

    /** Whether this is a session (not a tombstone) that has not expired {@code now}. */
    public boolean isLive(long now) {
        return !gone && now < expiresAt(0);
    }

    /**
     * How long the cache should keep this copy, counted from {@code now}, in ms: -1 for ever, else at least 1 (check
     * {@link #expiresAt} first for a copy that may no longer matter).
     */
    public long lifespanMs(long now, int fallbackTimeout) {
        long expiresAt = expiresAt(fallbackTimeout);
        return expiresAt == Long.MAX_VALUE ? -1 : Math.max(1, expiresAt - now);
    }

    /** Whether {@code json}, a stored value, is a tombstone, without parsing it. */
    public static boolean isTombstone(String json) {
        return json.startsWith(TOMBSTONE_PREFIX);
    }

    /** The stored form. */
    public String toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (gone) {
            node.put("gone", true);
        }
        node.put("v", version);
        node.put("w", writer);
        if (!gone) {
            node.put("created", created);
        }
        node.put("accessed", accessed);
        node.put("timeout", timeout);
        if (!gone) {
            ObjectNode attrs = node.putObject("attributes");
            attributes.forEach(attrs::set);
        }
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }

    /**
     * Reads a stored form.
     *
     * @throws IllegalArgumentException when {@code json} is not one (written by something else)
     */
    public static SessionData parse(String json) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a session: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject() || !node.path("v").canConvertToLong() || !node.path("w").isTextual()
                || !node.path("accessed").canConvertToLong() || !node.path("timeout").canConvertToInt()) {
            throw new IllegalArgumentException("not a session: " + (json.length() <= 80 ? json
                    : json.substring(0, 80) + "…"));
        }
        boolean gone = node.path("gone").asBoolean(false);
        Map<String, JsonNode> attributes = new LinkedHashMap<>();
        JsonNode attrs = node.path("attributes");
        for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            attributes.put(entry.getKey(), entry.getValue());
        }
        long accessed = node.get("accessed").longValue();
        return new SessionData(gone, node.get("v").longValue(), node.get("w").textValue(),
                node.path("created").asLong(accessed), accessed, node.get("timeout").intValue(), attributes);
    }
}
