package io.ballast.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The document at {@code /_ballast/cluster}: operators and the integration tests read these exact names. */
class ClusterViewJsonTest {

    private static final ClusterView VIEW = new ClusterView("ballast", "node-a", "node-b", 7, List.of(
            new MemberView("node-b", "http://127.0.0.2:8080", MemberState.UP, 3, 64, 0.046875, 100, 4, 120, 17, 101.5,
                    Map.of("node-a", 3L, "node-c", 1L)),
            new MemberView("node-a", "http://127.0.0.1:8080", MemberState.DRAINING, 0, 8, 0.0, 5, 0, 0, 0, 0.0,
                    Map.of()),
            new MemberView("node-c", "http://127.0.0.3:8080", MemberState.SUSPECT, 1, 2, 0.5, 0, 0, 4000, 3, 7.25,
                    Map.of())));

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }

    private static JsonNode tree() throws Exception {
        return Json.mapper().readTree(Json.write(VIEW));
    }

    @Test
    void viewHasExactlyTheContractFieldNames() throws Exception {
        JsonNode tree = tree();
        assertEquals(List.of("cluster", "coordinator", "members", "self", "viewId"), fieldNames(tree));
        assertEquals(List.of("capacity", "forwarded", "forwardedTo", "inFlight", "latencyMs", "load", "name",
                "reportAgeMs", "served", "sessions", "state", "url"), fieldNames(tree.get("members").get(0)));
    }

    @Test
    void viewValuesAreWrittenAsTheirJsonTypes() throws Exception {
        JsonNode tree = tree();
        assertEquals("ballast", tree.get("cluster").textValue());
        assertEquals("node-a", tree.get("self").textValue());
        assertEquals("node-b", tree.get("coordinator").textValue());
        assertEquals(7, tree.get("viewId").longValue());
        JsonNode b = tree.get("members").get(0);
        assertEquals("http://127.0.0.2:8080", b.get("url").textValue());
        assertEquals(3, b.get("inFlight").intValue());
        assertEquals(0.046875, b.get("load").doubleValue());
        assertEquals(120, b.get("reportAgeMs").longValue());
        assertEquals(17, b.get("sessions").longValue());
        assertEquals(101.5, b.get("latencyMs").doubleValue());
        assertEquals(List.of("node-a", "node-c"), fieldNames(b.get("forwardedTo")));
        assertEquals(3, b.get("forwardedTo").get("node-a").longValue());
        assertTrue(tree.get("members").get(1).get("forwardedTo").isObject(), "no forwards: an empty object");
    }

    @Test
    void membersKeepViewOrderAndStatesAreUpperCaseNames() throws Exception {
        JsonNode members = tree().get("members");
        assertEquals(3, members.size());
        List<String> names = new ArrayList<>();
        List<String> states = new ArrayList<>();
        members.forEach(m -> {
            names.add(m.get("name").textValue());
            states.add(m.get("state").textValue());
        });
        assertEquals(List.of("node-b", "node-a", "node-c"), names);
        assertEquals(List.of("UP", "DRAINING", "SUSPECT"), states);
    }

    @Test
    void viewRoundTripsThroughJson() {
        assertEquals(VIEW, Json.read(Json.write(VIEW), ClusterView.class));
    }

    @Test
    void unknownFieldsAreIgnored() {
        String json = "{\"cluster\":\"c\",\"self\":\"a\",\"coordinator\":\"a\",\"viewId\":1,\"members\":[],"
                + "\"addedInVersion2\":{\"x\":[1,2]}}";
        assertEquals(new ClusterView("c", "a", "a", 1, List.of()), Json.read(json, ClusterView.class));
    }

    @Test
    void memberWithoutTheLaterFieldsFromAnOlderNodeReadsAsZeroAndNoForwards() {
        String json = "{\"name\":\"a\",\"url\":\"u\",\"state\":\"UP\",\"inFlight\":1,\"capacity\":2,"
                + "\"load\":0.5,\"served\":3,\"forwarded\":0,\"reportAgeMs\":9}";
        assertEquals(new MemberView("a", "u", MemberState.UP, 1, 2, 0.5, 3, 0, 9, 0, 0.0, Map.of()),
                Json.read(json, MemberView.class));
    }

    @Test
    void textThatIsNotJsonIsAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.read("<html>502 Bad Gateway</html>", ClusterView.class));
        assertTrue(e.getMessage().startsWith("not a ClusterView: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"cluster\":", ClusterView.class));
    }
}
