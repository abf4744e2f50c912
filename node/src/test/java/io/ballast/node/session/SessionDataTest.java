package io.ballast.node.session;

import io.ballast.protocol.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionDataTest {

    private static final long T0 = 1_767_225_600_000L;

    @Test
    void sessionRoundTripsThroughItsStoredForm() {
        SessionData data = SessionData.fresh(T0, 1800, "w1")
                .with("count", AttributeCodec.encode("count", 6))
                .with("name", AttributeCodec.encode("name", "Ada"))
                .next("w2", T0 + 5);
        SessionData back = SessionData.parse(data.toJson());
        assertEquals(data, back);
        assertEquals(2, back.version());
        assertEquals(6, back.attribute("count"));
        assertEquals("Ada", back.attribute("name"));
        assertEquals(T0, back.created());
        assertEquals(T0 + 5, back.accessed());
    }

    @Test
    void tombstoneIsRecognisedWithoutParsingAndBuriesTheAttributes() {
        SessionData live = SessionData.fresh(T0, 60, "w").with("k", AttributeCodec.encode("k", true));
        SessionData gone = live.tombstone("w2", T0 + 1);
        assertTrue(SessionData.isTombstone(gone.toJson()), gone.toJson());
        assertFalse(SessionData.isTombstone(live.toJson()));
        // an attribute named "gone" cannot pass for a tombstone
        assertFalse(SessionData.isTombstone(live.with("gone", AttributeCodec.encode("gone", true)).toJson()));
        SessionData back = SessionData.parse(gone.toJson());
        assertTrue(back.gone());
        assertEquals(2, back.version());
        assertTrue(back.attributes().isEmpty());
        assertFalse(back.isLive(T0 + 2));
    }

    @Test
    void accessIsRecordedOnlyWhenTheRecordedOneLagsByATenthOfTheTimeoutAtMostAMinute() {
        assertEquals(300, SessionData.touchAfterMs(3));
        assertEquals(60_000, SessionData.touchAfterMs(1800));
        SessionData data = SessionData.fresh(T0, 3, "w");
        assertFalse(data.needsTouch(T0 + 300));
        assertTrue(data.needsTouch(T0 + 301));
    }

    @Test
    void sessionLivesTimeoutPlusTheAllowedLagAfterItsRecordedAccess() {
        SessionData data = SessionData.fresh(T0, 3, "w");
        assertEquals(T0 + 3_300, data.expiresAt(0));
        assertTrue(data.isLive(T0 + 3_299));
        assertFalse(data.isLive(T0 + 3_300));
        assertEquals(3_300, data.lifespanMs(T0, 0));
        assertEquals(1, data.lifespanMs(T0 + 10_000, 0), "a lifespan never reads as 'for ever'");
    }

    @Test
    void sessionWithoutTimeoutNeverExpiresButItsTombstoneDoes() {
        SessionData forever = SessionData.fresh(T0, 0, "w");
        assertEquals(-1, forever.lifespanMs(T0, 60));
        assertTrue(forever.isLive(Long.MAX_VALUE - 1));
        SessionData gone = forever.tombstone("w2", T0);
        assertEquals(T0 + 60_000 + 6_000, gone.expiresAt(60));
    }

    @Test
    void writesAreOrderedByVersion() {
        SessionData v1 = SessionData.fresh(T0, 60, "a");
        SessionData v2 = v1.next("b", T0 + 1);
        assertTrue(v2.newerThan(v1));
        assertFalse(v1.newerThan(v2));
        assertFalse(v2.newerThan(v1.next("c", T0 + 2)));
    }

    @Test
    void textThatIsNotASessionIsRefused() {
        for (String json : List.of("", "null", "[]", "{}", "{\"v\":1}", "{\"v\":\"x\",\"w\":\"a\",\"accessed\":1,"
                + "\"timeout\":1}", "<html>", Json.write(List.of(1)))) {
            assertThrows(IllegalArgumentException.class, () -> SessionData.parse(json), json);
        }
    }
}
