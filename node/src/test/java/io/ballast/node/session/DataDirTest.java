package io.ballast.node.session;

import io.ballast.node.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataDirTest {

    @TempDir
    Path root;

    @Test
    void nodeGetsItsOwnDirectoryMadeAndLockedWithItsPid() throws Exception {
        try (DataDir dir = DataDir.open(root.resolve("new/deeper"), "n1")) {
            assertEquals(root.resolve("new/deeper/n1"), dir.path());
            assertTrue(Files.isDirectory(dir.path()));
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(dir.path().resolve(".lock")));
            try (var listing = Files.list(dir.path())) {
                assertEquals(1, listing.count(), "no probe left behind");
            }
        }
    }

    @Test
    void directoryHeldByARunningNodeIsRefusedOnOneLineAndLeftAsItWas() throws Exception {
        try (DataDir held = DataDir.open(root, "n1")) {
            Files.writeString(held.path().resolve("store"), "precious");
            String lock = Files.readString(held.path().resolve(".lock"));
            ConfigException e = assertThrows(ConfigException.class, () -> DataDir.open(root, "n1"));
            assertEquals("--data-dir: '" + root + "' (expected: a directory no other running node uses, but "
                    + held.path() + " is held by process " + ProcessHandle.current().pid() + ")", e.getMessage());
            assertEquals("precious", Files.readString(held.path().resolve("store")));
            assertEquals(lock, Files.readString(held.path().resolve(".lock")));
        }
        DataDir.open(root, "n1").close(); // free again once the holder let go
    }

    @Test
    void nodesOfOneDataDirUseDirectoriesOfTheirOwn() {
        try (DataDir a = DataDir.open(root, "n1"); DataDir b = DataDir.open(root, "n2")) {
            assertFalse(a.path().equals(b.path()));
        }
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsRefused() throws Exception {
        Path file = Files.writeString(root.resolve("plain"), "x");
        String message = assertThrows(ConfigException.class, () -> DataDir.open(file, "n1")).getMessage();
        assertTrue(message.startsWith("--data-dir: '" + file + "' (expected: a directory this node can create, but "),
                message);
        assertFalse(message.contains("\n"));
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/n1"), "x");
        message = assertThrows(ConfigException.class, () -> DataDir.open(root.resolve("d"), "n1")).getMessage();
        assertTrue(message.contains("cannot be made"), message);
        assertEquals("x", Files.readString(root.resolve("d/n1")));
    }
}
