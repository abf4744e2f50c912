package io.ballast.node.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Session attribute values as JSON, for the types listed in {@link #ALLOWED} and nothing else: a session read from
 * a peer or from disk can never make this node load a class of someone else's choosing.
 *
 * <p>Strings and booleans are JSON strings and booleans; every other value is an object with one member that names
 * its type, so that an {@code Integer} comes back an {@code Integer} and a {@code Long} a {@code Long}:
 * <pre>
 * 5            → {"i":5}         5L   → {"l":5}         2.5 → {"d":2.5}   (NaN → {"d":"NaN"})
 * 1.50 (BigDecimal) → {"dec":"1.50"}   List → {"list":[…]}   Map → {"map":{…}}
 * </pre>
 * Lists and maps may hold {@code null} and any allowed value, nested; map keys are strings. What {@link #decode}
 * returns is unmodifiable: a change to a session is made with {@code setAttribute}, never by editing a value read.
 */
public final class AttributeCodec {

    /** The types an attribute value may have, as the refusal names them. */
    public static final String ALLOWED = "String, Boolean, Integer, Long, Double, BigDecimal, and List or "
            + "Map<String, ?> of these (nested, null elements allowed)";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AttributeCodec() {
    }

    /**
     * The JSON form of {@code value}, the value of attribute {@code name}.
     *
     * @throws IllegalArgumentException when the value, or anything in it, is of a type not {@link #ALLOWED}; the
     *                                  message names the attribute, the place in the value, the type and the allowed
     *                                  types
     */
    public static JsonNode encode(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("session attribute '" + name + "': null is not a value (remove the "
                    + "attribute instead)");
        }
        return encode(name, name, value, 0);
    }

    /** How deep lists and maps may nest: deeper is surely a mistake, and JSON readers limit depth too. */
    static final int MAX_DEPTH = 100;

    private static JsonNode encode(String attribute, String path, Object value, int depth) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("session attribute '" + attribute + "': " + path + " nests more than "
                    + MAX_DEPTH + " lists or maps deep");
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof Boolean flag) {
            return NODES.booleanNode(flag);
        }
        if (value instanceof Integer n) {
            return tagged("i", NODES.numberNode(n));
        }
        if (value instanceof Long n) {
            return tagged("l", NODES.numberNode(n));
        }
        if (value instanceof Double x) {
            return tagged("d", Double.isFinite(x) ? NODES.numberNode(x) : NODES.textNode(x.toString()));
        }
        if (value instanceof BigDecimal decimal) {
            return tagged("dec", NODES.textNode(decimal.toString()));
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode(list.size());
            int i = 0;
            for (Object element : list) {
                array.add(encode(attribute, path + "[" + i++ + "]", element, depth + 1));
            }
            return tagged("list", array);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw refused(attribute, path + " key " + entry.getKey(),
                            entry.getKey() == null ? "null" : entry.getKey().getClass().getName());
                }
                object.set(key, encode(attribute, path + "." + key, entry.getValue(), depth + 1));
            }
            return tagged("map", object);
        }
        throw refused(attribute, path, value.getClass().getName());
    }

    private static IllegalArgumentException refused(String attribute, String path, String type) {
        String where = path.equals(attribute) ? "" : " at " + path;
        return new IllegalArgumentException("session attribute '" + attribute + "'" + where + ": a " + type
                + " cannot be stored in a session (allowed: " + ALLOWED + ")");
    }

    private static ObjectNode tagged(String tag, JsonNode value) {
        ObjectNode node = NODES.objectNode();
        node.set(tag, value);
        return node;
    }

    /**
     * The value that {@link #encode} made {@code json} from.
     *
     * @throws IllegalArgumentException when {@code json} is not such a form (written by something else)
     */
    public static Object decode(JsonNode json) {
        return decode(json, 0);
    }

    private static Object decode(JsonNode json, int depth) {
        if (depth > MAX_DEPTH + 1) {
            throw new IllegalArgumentException("attribute value nests too deep");
        }
        if (json == null || json.isNull()) {
            return null;
        }
        if (json.isTextual()) {
            return json.textValue();
        }
        if (json.isBoolean()) {
            return json.booleanValue();
        }
        if (!json.isObject() || json.size() != 1) {
            throw new IllegalArgumentException("not an attribute value: " + abbreviated(json));
        }
        Map.Entry<String, JsonNode> only = json.fields().next();
        JsonNode value = only.getValue();
        switch (only.getKey()) {
            case "i" -> {
                if (value.isInt()) {
                    return value.intValue();
                }
            }
            case "l" -> {
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return value.longValue();
                }
            }
            case "d" -> {
                if (value.isNumber()) {
                    return value.doubleValue();
                }
                if (value.isTextual()) {
                    return parseNonFinite(value.textValue());
                }
            }
            case "dec" -> {
                if (value.isTextual()) {
                    try {
                        return new BigDecimal(value.textValue());
                    } catch (NumberFormatException e) {
                        // refused below
                    }
                }
            }
            case "list" -> {
                if (value.isArray()) {
                    List<Object> list = new ArrayList<>(value.size());
                    for (JsonNode element : value) {
                        list.add(decode(element, depth + 1));
                    }
                    return Collections.unmodifiableList(list);
                }
            }
            case "map" -> {
                if (value.isObject()) {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> entry = it.next();
                        map.put(entry.getKey(), decode(entry.getValue(), depth + 1));
                    }
                    return Collections.unmodifiableMap(map);
                }
            }
            default -> {
                // refused below
            }
        }
        throw new IllegalArgumentException("not an attribute value: " + abbreviated(json));
    }

    private static Double parseNonFinite(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException("not a double: '" + abbreviated(text) + "'");
        };
    }

    private static String abbreviated(Object json) {
        String text = String.valueOf(json);
        return text.length() <= 60 ? text : text.substring(0, 60) + "…";
    }
}
