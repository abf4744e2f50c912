package io.ballast.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.jar.JarFile;

/** Copies the node jar aside, whole and consistent, even while a build may be rewriting it. */
final class NodeJar {

    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(60);

    private NodeJar() {
    }

    /**
     * Copies {@code source} into {@code dir} under a name of this JVM's own, and returns the copy once it is a
     * readable jar with a manifest. The copy is deleted when this JVM exits.
     */
    static Path copyOf(Path source, Path dir) {
        Path copy = dir.resolve("ballast-node-under-test-" + ProcessHandle.current().pid() + ".jar")
                .toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Await.atMost(SETTLE_LIMIT).until("a whole copy of " + source + " (a build may be rewriting it)", () -> {
            FileTime before = Files.getLastModifiedTime(source);
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
            return before.equals(Files.getLastModifiedTime(source)) && isWholeJar(copy);
        });
        copy.toFile().deleteOnExit();
        return copy;
    }

    private static boolean isWholeJar(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() != null && file.getManifest().getMainAttributes().getValue("Main-Class") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
