package io.ballast.node.session;

import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

import java.util.List;

/**
 * When two sides of a partition meet again, or owners disagree: each session keeps the copy with the highest
 * {@link SessionData#version() version}, the one written most often (a tombstone is a write too). Ties, and copies
 * that cannot be read, go to the copy of the larger side.
 */
public final class NewestSessionWins implements EntryMergePolicy<String, String> {

    @Override
    public CacheEntry<String, String> merge(CacheEntry<String, String> preferredEntry,
                                            List<CacheEntry<String, String>> otherEntries) {
        CacheEntry<String, String> best = preferredEntry;
        SessionData bestData = read(preferredEntry);
        for (CacheEntry<String, String> other : otherEntries) {
            SessionData data = read(other);
            if (data != null && (bestData == null || data.newerThan(bestData))) {
                best = other;
                bestData = data;
            }
        }
        return best;
    }

    private static SessionData read(CacheEntry<String, String> entry) {
        if (entry == null || entry.getValue() == null) {
            return null;
        }
        try {
            return SessionData.parse(entry.getValue());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
