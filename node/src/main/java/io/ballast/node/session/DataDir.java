package io.ballast.node.session;

import io.ballast.node.config.ConfigException;
import io.ballast.node.config.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * This node's own directory under {@code --data-dir}: {@code DIR/<node name>/}, held with a lock on
 * {@code DIR/<node name>/.lock} for as long as the node runs, so that no second node uses it at the same time.
 *
 * <p>{@link #open} checks everything a node needs from the directory before anything is written to it: that it is
 * (or can be made) a directory, that it and everything in it can be read and written, and that no other running
 * process holds it. Any failure is a {@link ConfigException}: one line, exit status 2, and nothing in the directory
 * overwritten.
 */
public final class DataDir implements AutoCloseable {

    static final String LOCK_FILE = ".lock";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDir(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Makes (if need be), checks and locks {@code root/nodeName}.
     *
     * @throws ConfigException when it cannot be used: what is wrong, on one line
     */
    public static DataDir open(Path root, String nodeName) {
        Path dir = root.resolve(nodeName);
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            throw refused(root, "a directory this node can create, but " + dir + " cannot be made ("
                    + describe(e) + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw refused(root, "a directory, but " + dir + " is not one");
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            // CREATE without TRUNCATE_EXISTING: the holder's pid stays readable when the lock is taken
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            throw refused(root, "a directory this node can write, but " + lockFile + " cannot be opened ("
                    + describe(e) + ")");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // another node of this very process holds it
        } catch (IOException e) {
            close(channel);
            throw refused(root, "a directory whose lock file can be locked, but " + lockFile + " cannot be ("
                    + describe(e) + ")");
        }
        if (lock == null) {
            String holder = holder(channel);
            close(channel);
            throw refused(root, "a directory no other running node uses, but " + dir + " is held by "
                    + (holder.isEmpty() ? "another process" : "process " + holder));
        }
        try {
            checkReadableAndWritable(root, dir);
        } catch (ConfigException e) {
            close(channel);
            throw e;
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            close(channel);
            throw refused(root, "a directory this node can write, but " + lockFile + " cannot be written ("
                    + describe(e) + ")");
        }
        return new DataDir(dir, channel, lock);
    }

    /** Everything under {@code dir}: directories listable and writable, files readable and writable. */
    private static void checkReadableAndWritable(Path root, Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                boolean isDir = Files.isDirectory(path);
                if (!Files.isReadable(path) || !Files.isWritable(path) || (isDir && !Files.isExecutable(path))) {
                    throw refused(root, "a directory this node can read and write, but " + path + " is not "
                            + (Files.isReadable(path) ? "writable" : "readable"));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException config) {
                throw config;
            }
            throw refused(root, "a directory this node can read, but " + dir + " cannot be read (" + describe(e)
                    + ")");
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, ".probe-", "");
            Files.writeString(probe, "ballast\n");
            try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
                listing.iterator().hasNext();
            }
        } catch (IOException | RuntimeException e) {
            throw refused(root, "a directory this node can read and write, but " + dir + " cannot be written ("
                    + describe(e) + ")");
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    // a leftover probe file is harmless
                }
            }
        }
    }

    /** The pid the holder wrote into the lock file, or "". */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
            return text.matches("[0-9]{1,10}") ? text : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static ConfigException refused(Path root, String expected) {
        return new ConfigException(Option.DATA_DIR.flag(), root.toString(), expected);
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.replace('\n', ' '));
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** {@code DIR/<node name>}. */
    public Path path() {
        return path;
    }

    /** Releases the lock; the directory and its contents stay. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        close(lockChannel);
    }
}
