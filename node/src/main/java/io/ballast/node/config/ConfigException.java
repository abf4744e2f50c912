package io.ballast.node.config;

/**
 * A bad option: its message names the option, the value given and what was expected, on one line.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String option, String value, String expected) {
        super(option + ": '" + value + "' (expected: " + expected + ")");
    }

    public ConfigException(String message) {
        super(message);
    }
}
