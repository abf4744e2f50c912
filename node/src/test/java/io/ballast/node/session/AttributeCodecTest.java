package io.ballast.node.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.ballast.protocol.Json;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributeCodecTest {

    /** Encodes, writes as text, reads back and decodes: the trip a value makes through the cluster and the disk. */
    private static Object roundTrip(Object value) throws Exception {
        String text = Json.write(AttributeCodec.encode("a", value));
        return AttributeCodec.decode(Json.mapper().readTree(text));
    }

    @Test
    void everyAllowedTypeComesBackAsTheSameTypeAndValue() throws Exception {
        for (Object value : List.of("text", "", true, false, 7, -7, Integer.MAX_VALUE, 7L, Long.MIN_VALUE, 2.5, -0.0,
                1e300, new BigDecimal("1.50"), new BigDecimal("-12345678901234567890.000001"))) {
            Object back = roundTrip(value);
            assertEquals(value, back, "value " + value);
            assertEquals(value.getClass(), back.getClass(), "type of " + value);
        }
    }

    @Test
    void nonFiniteDoublesComeBack() throws Exception {
        assertTrue(Double.isNaN((Double) roundTrip(Double.NaN)));
        assertEquals(Double.POSITIVE_INFINITY, roundTrip(Double.POSITIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, roundTrip(Double.NEGATIVE_INFINITY));
    }

    @Test
    void integerAndLongStayApartThoughJsonHasOneNumberType() throws Exception {
        assertInstanceOf(Integer.class, roundTrip(5));
        assertInstanceOf(Long.class, roundTrip(5L));
        assertInstanceOf(Double.class, roundTrip(5.0));
    }

    @Test
    void nestedListsAndMapsComeBackInOrderWithNulls() throws Exception {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("z", 1);
        map.put("a", Arrays.asList("x", null, 3L));
        map.put("m", Map.of("deep", List.of(List.of(true))));
        map.put("none", null);
        Object back = roundTrip(map);
        assertEquals(map, back);
        assertEquals(List.of("z", "a", "m", "none"), List.copyOf(((Map<?, ?>) back).keySet()));
    }

    @Test
    void decodedListsAndMapsCannotBeChangedInPlace() throws Exception {
        List<?> list = (List<?>) roundTrip(new ArrayList<>(List.of(1, 2)));
        assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
        Map<?, ?> map = (Map<?, ?>) roundTrip(new HashMap<>(Map.of("k", "v")));
        assertThrows(UnsupportedOperationException.class, map::clear);
    }

    @Test
    void anotherTypeIsRefusedNamingTheAttributeTheTypeAndTheAllowedTypes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttributeCodec.encode("cart", new File("/etc/passwd")));
        assertEquals("session attribute 'cart': a java.io.File cannot be stored in a session (allowed: "
                + AttributeCodec.ALLOWED + ")", e.getMessage());
        for (Object value : List.of(Instant.EPOCH, Set.of("a"), new Object(), 'c', (short) 1, 1.5f, new int[] {1})) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> AttributeCodec.encode("x", value)).getMessage();
            assertTrue(message.startsWith("session attribute 'x': a " + value.getClass().getName()), message);
            assertTrue(message.contains("(allowed: String, Boolean, Integer, Long, Double, BigDecimal"), message);
        }
    }

    @Test
    void aBadValueInsideAListOrMapIsRefusedWithItsPlace() {
        String message = assertThrows(IllegalArgumentException.class, () -> AttributeCodec.encode("cart",
                Map.of("items", List.of("a", Instant.EPOCH)))).getMessage();
        assertTrue(message.startsWith("session attribute 'cart' at cart.items[1]: a java.time.Instant"), message);
        message = assertThrows(IllegalArgumentException.class, () -> AttributeCodec.encode("m",
                Map.of(1, "one"))).getMessage();
        assertTrue(message.startsWith("session attribute 'm' at m key 1: a java.lang.Integer"), message);
    }

    @Test
    void nullAtTheTopIsNotAValue() {
        assertThrows(IllegalArgumentException.class, () -> AttributeCodec.encode("a", null));
    }

    @Test
    void jsonThatNoEncodingMadeIsRefusedNotGuessed() throws Exception {
        for (String json : List.of("5", "2.5", "[1]", "{}", "{\"i\":1,\"l\":2}", "{\"i\":\"5\"}", "{\"i\":9999999999}",
                "{\"java.io.File\":\"/etc\"}", "{\"@class\":\"java.io.File\"}", "{\"dec\":\"x\"}",
                "{\"d\":\"Inf\"}")) {
            JsonNode node = Json.mapper().readTree(json);
            assertThrows(IllegalArgumentException.class, () -> AttributeCodec.decode(node), json);
        }
    }
}
