package io.ballast.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * How to launch a Ballast node: the runnable node jar and the JVM options every node gets.
 *
 * @param jar        {@code node/target/ballast-node.jar}
 * @param jvmOptions e.g. {@code -Xmx256m}
 */
public record NodeJar(Path jar, List<String> jvmOptions) {

    public NodeJar {
        jar = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("node jar " + jar + " does not exist: build it with "
                    + "'mvn -q -DskipTests package' (or name it with --node-jar)");
        }
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * This jar copied into {@code dir}: a run then starts every node from the same bytes, even if the project is
     * rebuilt meanwhile.
     */
    public NodeJar copyInto(Path dir) {
        try {
            Files.createDirectories(dir);
            Path copy = dir.resolve(jar.getFileName());
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            return new NodeJar(copy, jvmOptions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + jar + " into " + dir, e);
        }
    }

    /** {@code java <jvmOptions> -jar <jar> <args>}, with the java that runs the bench. */
    List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return command;
    }
}
