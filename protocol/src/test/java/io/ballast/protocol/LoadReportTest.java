package io.ballast.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadReportTest {

    private static LoadReport report(int inFlight, int capacity, long incarnation, long sequence) {
        return new LoadReport("node-a", "http://127.0.0.1:8080", MemberState.UP, inFlight, capacity, 10, 2, 1, 3.5,
                0.25, 2, incarnation, sequence, true, 5, 100.0, 40.0, true);
    }

    @Test
    void reportRoundTripsThroughJson() {
        LoadReport report = report(3, 64, -8_123_456_789L, 42);
        assertEquals(report, Json.read(Json.write(report), LoadReport.class));
    }

    @Test
    void reportWithUnknownFieldsStillReads() {
        String json = Json.write(report(1, 4, 9, 9));
        String extended = json.substring(0, json.length() - 1) + ",\"zone\":\"eu-1\",\"extra\":[true]}";
        assertEquals(report(1, 4, 9, 9), Json.read(extended, LoadReport.class));
    }

    @Test
    void reportFromANodeWithoutSessionsReadsAsZeroSessions() {
        String json = Json.write(report(1, 4, 9, 9)).replace(",\"sessions\":5", "");
        assertTrue(!json.contains("sessions"), json);
        assertEquals(0, Json.read(json, LoadReport.class).sessions());
    }

    @Test
    void reportFromANodeWithoutTheDecisionSignalsReadsAsUnknownServiceNoDemandAndNotHot() {
        String json = Json.write(report(1, 4, 9, 9)).replace(",\"serviceMs\":100.0", "")
                .replace(",\"demand\":40.0", "").replace(",\"hot\":true", "");
        assertTrue(!json.contains("serviceMs") && !json.contains("demand") && !json.contains("hot"), json);
        LoadReport read = Json.read(json, LoadReport.class);
        assertEquals(0.0, read.serviceMs());
        assertEquals(0.0, read.demand());
        assertFalse(read.hot());
        assertEquals(0.0, read.demandPerSlot());
    }

    @Test
    void demandPerSlotIsTheClientsRateTimesTheServiceTimeOverTheCapacity() {
        // 40 requests per second of 100 ms each keep 4 slots busy: half of 8
        assertEquals(0.5, report(0, 8, 1, 1).demandPerSlot(), 1e-9);
        assertEquals(1.0, report(0, 4, 1, 1).demandPerSlot(), 1e-9);
    }

    @Test
    void reportWithoutCapacityIsNotAReport() {
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"name\":\"a\",\"url\":\"u\",\"state\":\"UP\"}",
                LoadReport.class));
        assertThrows(IllegalArgumentException.class, () -> Json.read("not json", LoadReport.class));
    }

    @Test
    void loadIsInFlightPerSlotOfCapacity() {
        assertEquals(0.0, report(0, 8, 1, 1).load());
        assertEquals(0.375, report(3, 8, 1, 1).load());
        assertEquals(1.0, report(8, 8, 1, 1).load());
        assertEquals(1.5, report(12, 8, 1, 1).load());
    }

    @Test
    void sameIncarnationIsOrderedBySequence() {
        assertTrue(report(0, 8, 7, 5).isNewerThan(report(0, 8, 7, 4)));
        assertFalse(report(0, 8, 7, 4).isNewerThan(report(0, 8, 7, 5)));
        assertFalse(report(0, 8, 7, 5).isNewerThan(report(0, 8, 7, 5)));
    }

    @Test
    void anotherIncarnationIsAlwaysNewerWhateverItsSequence() {
        assertTrue(report(0, 8, 8, 1).isNewerThan(report(0, 8, 7, 1_000)));
        assertTrue(report(0, 8, 7, 1_000).isNewerThan(report(0, 8, 8, 1)));
    }
}
