package io.ballast.node.config;

/**
 * A node cannot start with a configuration that is valid in itself: a port is taken, or its name is in use in the
 * cluster. Like a {@link ConfigException}, it ends the process with one line, naming the option, and exit status 2.
 */
public final class StartupException extends RuntimeException {

    public StartupException(String option, String value, String expected) {
        super(option + ": '" + value + "' (expected: " + expected + ")");
    }
}
