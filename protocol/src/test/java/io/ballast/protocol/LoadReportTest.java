package io.ballast.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadReportTest {

    private static LoadReport report(int inFlight, int capacity, long incarnation, long sequence) {
        return new LoadReport("node-a", "http://127.0.0.1:8080", MemberState.UP, inFlight, capacity, 10, 2, 1, 3.5,
                0.25, 2, incarnation, sequence, true, 5, Map.of("node-b", 7L, "node-c", 1L), 100.0, 40.0, true);
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
    void perPeerForwardCountsRoundTripThroughJsonAsAnObjectByPeerName() throws Exception {
        LoadReport report = report(2, 8, 3, 4);
        String json = Json.write(report);
        JsonNode counts = Json.mapper().readTree(json).get("forwardedTo");
        assertEquals(7, counts.get("node-b").longValue(), json);
        assertEquals(1, counts.get("node-c").longValue(), json);
        assertEquals(2, counts.size(), json);
        assertEquals(Map.of("node-b", 7L, "node-c", 1L), Json.read(json, LoadReport.class).forwardedTo());
    }

    @Test
    void reportFromANodeWithoutPerPeerCountsReadsAsNoForwardsToAnyPeer() {
        String json = Json.write(report(1, 4, 9, 9)).replaceAll(",?\"forwardedTo\":\\{[^}]*\\}", "");
        assertTrue(!json.contains("forwardedTo"), json);
        assertEquals(Map.of(), Json.read(json, LoadReport.class).forwardedTo());
        assertEquals(Map.of(), Json.read(json.replace("}", ",\"forwardedTo\":null}"), LoadReport.class)
                .forwardedTo());
    }

    @Test
    void perPeerCountsAreACopyThatTheSenderCannotChangeAfterwards() {
        Map<String, Long> counts = new HashMap<>(Map.of("node-b", 1L));
        LoadReport report = new LoadReport("node-a", "http://127.0.0.1:8080", MemberState.UP, 0, 8, 0, 1, 0, 0, -1, 1,
                1, 1, true, 0, counts, 0, 0, false);
        counts.put("node-b", 99L);
        assertEquals(Map.of("node-b", 1L), report.forwardedTo());
        assertThrows(UnsupportedOperationException.class, () -> report.forwardedTo().put("node-c", 1L));
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
