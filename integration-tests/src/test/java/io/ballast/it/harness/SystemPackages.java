package io.ballast.it.harness;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Programs from Debian packages that some tests drive (curl, openssl). Under {@code CI=true}, where {@code .ci/run}
 * installs them, a missing one fails the test; elsewhere the test is skipped, with one line naming the package.
 */
public final class SystemPackages {

    private SystemPackages() {
    }

    /** The path of {@code program}, or a failed (CI) or skipped (elsewhere) test naming {@code debianPackage}. */
    public static Path require(String program, String debianPackage) {
        Optional<Path> found = find(program);
        if (found.isPresent()) {
            return found.get();
        }
        String message = program + " not found: install the Debian package " + debianPackage + " (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        System.err.println("[ballast-it] skipped: " + message);
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    private static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
