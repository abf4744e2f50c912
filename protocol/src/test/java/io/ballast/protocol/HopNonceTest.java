package io.ballast.protocol;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HopNonceTest {

    @Test
    void aSourceCountsUpUnderOneEpochAndAnotherSourceHasAnother() {
        HopNonce.Source source = new HopNonce.Source();
        HopNonce first = HopNonce.parse(source.next()).orElseThrow();
        HopNonce second = HopNonce.parse(source.next()).orElseThrow();
        assertEquals(first.epoch(), second.epoch());
        assertEquals(first.counter() + 1, second.counter());
        assertNotEquals(first.epoch(), HopNonce.parse(new HopNonce.Source().next()).orElseThrow().epoch());
    }

    @Test
    void noncesAreDistinctAcrossThreads() throws InterruptedException {
        HopNonce.Source source = new HopNonce.Source();
        Set<String> seen = Collections.synchronizedSet(new HashSet<>());
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    assertTrue(seen.add(source.next()));
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(40_000, seen.size());
    }

    @Test
    void anythingElseIsNoNonce() {
        for (String bad : new String[] {"", "~1", "AAAAAAAAAAA~0", "AAAAAAAAAAA~01", "AAAAAAAAAA~1", "AAAAAAAAAAA~-1",
                "AAAAAAAAAAA 1", "AAAAAAAAAAA~99999999999999999999", "b4f7c8d2-1d1e-4d4b-9e0b-2c1f6f1c0a11"}) {
            assertEquals(Optional.empty(), HopNonce.parse(bad), bad);
        }
        assertEquals(Optional.of(new HopNonce("AAAAAAAAAAA", 7)), HopNonce.parse("AAAAAAAAAAA~7"));
    }
}
