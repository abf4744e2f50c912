package io.ballast.it.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reading the logs that nodes and helper processes write. */
public final class LogFiles {

    private LogFiles() {
    }

    /** The last {@code lines} lines of {@code file}; empty when it does not exist, a note when it cannot be read. */
    public static List<String> tail(Path file, int lines) {
        List<String> all = lines(file);
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }

    /** Every line of {@code file}, read leniently (bytes that are not UTF-8 become replacement characters). */
    public static List<String> lines(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.isEmpty() ? List.of() : List.of(text.split("\r?\n"));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e + ")");
        }
    }
}
