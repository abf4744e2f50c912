package io.ballast.protocol;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadHeaderTest {

    private static final LoadReport FULL = new LoadReport("web 2", "http://127.0.0.2:8080", MemberState.UP, 3, 8,
            1_000, 20, 1, 12.5, 0.4, 2, 77, 41, true, 9, Map.of("web 3", 20L), 100, 30, false);

    @Test
    void headerCarriesTheFieldsASenderDecidesOn() {
        LoadReport later = new LoadReport("web 2", "http://127.0.0.2:8080", MemberState.DRAINING, 5, 8, 1_010, 21, 1,
                13, 0.5, 2, 77, 42, false, 9, Map.of(), 110.5, 42.25, true);
        LoadHeader header = LoadHeader.read(LoadHeader.write(later)).orElseThrow();
        assertEquals(new LoadHeader("web 2", 77, 42, 5, 8, 2, MemberState.DRAINING, false, 110.5, 42.25, true),
                header);
        LoadReport applied = header.applyTo(FULL).orElseThrow();
        assertEquals(5, applied.inFlight());
        assertEquals(MemberState.DRAINING, applied.state());
        assertEquals(42, applied.sequence());
        assertEquals(false, applied.ready());
        assertEquals(1_000, applied.served(), "what the header lacks stays as the full report said");
        assertEquals("http://127.0.0.2:8080", applied.url());
        assertEquals(Map.of("web 3", 20L), applied.forwardedTo());
        assertEquals(110.5, applied.serviceMs(), "the decision's signals travel in the header");
        assertEquals(42.25, applied.demand());
        assertTrue(applied.hot());
        assertTrue(applied.isNewerThan(FULL));
    }

    @Test
    void headerOfAnotherIncarnationOrNodeIsNotLaidOverAReport() {
        assertEquals(Optional.empty(),
                new LoadHeader("web 2", 78, 1, 0, 8, 2, MemberState.UP, true, 0, 0, false).applyTo(FULL));
        assertEquals(Optional.empty(),
                new LoadHeader("web 3", 77, 50, 0, 8, 2, MemberState.UP, true, 0, 0, false).applyTo(FULL));
    }

    @Test
    void anythingElseIsNoHeader() {
        for (String bad : new String[] {"", "v1", "v2 77 42 5 8 2 UP 1 9.5 3 0 web", "v1 77 42 5 8 2 UP 1 9.5 3 0 ",
                "v1 77 42 -1 8 2 UP 1 9.5 3 0 w", "v1 77 42 5 0 2 UP 1 9.5 3 0 w", "v1 77 42 5 8 0 UP 1 9.5 3 0 w",
                "v1 77 42 5 8 2 GONE 1 9.5 3 0 w", "v1 77 42 5 8 2 UP yes 9.5 3 0 w", "v1 x 42 5 8 2 UP 1 9.5 3 0 w",
                "v1 77 42 5 8 2 UP 1 NaN 3 0 w", "v1 77 42 5 8 2 UP 1 9.5 -1 0 w", "v1 77 42 5 8 2 UP 1 9.5 3 2 w",
                "v1 77 42 5 8 2 UP 1 w", "{\"name\":\"w\"}"}) {
            assertEquals(Optional.empty(), LoadHeader.read(bad), bad);
        }
        assertEquals(Optional.empty(), LoadHeader.read(null));
    }
}
