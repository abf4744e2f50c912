package io.ballast.node.session;

import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertSame;

/** When the two sides of a partition meet: each session keeps the copy written more often. */
class NewestSessionWinsTest {

    private static final long T0 = 1_767_225_600_000L;
    private final NewestSessionWins policy = new NewestSessionWins();

    private static CacheEntry<String, String> copy(SessionData data) {
        return new ImmortalCacheEntry("id", data.toJson());
    }

    private static SessionData written(int times) {
        SessionData data = SessionData.fresh(T0, 60, "w0");
        for (int i = 0; i < times; i++) {
            data = data.with("count", AttributeCodec.encode("count", i + 1)).next("w" + (i + 1), T0 + i);
        }
        return data;
    }

    @Test
    void copyWrittenMoreOftenWinsOnEitherSide() {
        CacheEntry<String, String> older = copy(written(2));
        CacheEntry<String, String> newer = copy(written(5));
        assertSame(newer, policy.merge(older, List.of(newer)));
        assertSame(newer, policy.merge(newer, List.of(older)));
    }

    @Test
    void tombstoneWrittenAfterTheLastChangeWins() {
        CacheEntry<String, String> ended = copy(written(3).tombstone("end", T0 + 10));
        CacheEntry<String, String> live = copy(written(3));
        assertSame(ended, policy.merge(live, List.of(ended)));
    }

    @Test
    void tiesAndUnreadableCopiesGoToTheLargerSide() {
        CacheEntry<String, String> preferred = copy(written(3));
        CacheEntry<String, String> other = copy(written(3));
        assertSame(preferred, policy.merge(preferred, List.of(other)));
        CacheEntry<String, String> garbage = new ImmortalCacheEntry("id", "not json");
        assertSame(preferred, policy.merge(preferred, List.of(garbage)));
        assertSame(other, policy.merge(garbage, List.of(other)));
    }

    @Test
    void aSessionMissingOnTheLargerSideKeepsTheOtherSidesCopy() {
        CacheEntry<String, String> other = copy(written(1));
        assertSame(other, policy.merge(null, List.of(other)));
    }
}
