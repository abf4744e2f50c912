package io.ballast.node.edge;

import io.ballast.node.config.TlsPair;
import io.ballast.node.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the certificate and key files, and loads a changed pair for new connections: a renewed certificate takes
 * effect without a restart. It looks once a {@link #POLL_MS} (a file's time, size and identity, so a file replaced by
 * a rename or a symbolic link turned elsewhere counts too). A pair that cannot be used (a key written before its
 * certificate, a half-copied file, a key of another certificate) is refused with one log line, and the pair in use
 * stays; the next change is tried again.
 */
final class CertificateWatcher implements AutoCloseable {

    static final long POLL_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);

    private final EdgeTls tls;
    private final ScheduledExecutorService scheduler;
    private List<Object> seen;

    CertificateWatcher(EdgeTls tls) {
        this.tls = tls;
        this.seen = stamp();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ballast-tls-watch");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        List<Object> now = stamp();
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        NodeConfig.TlsFiles files = tls.files();
        try {
            TlsPair pair = TlsPair.load(files.cert(), files.key());
            tls.use(pair);
            LOG.info("TLS: new connections now get {} from {}", pair.describe(), files.cert());
        } catch (TlsPair.Unusable e) {
            LOG.warn("TLS: the changed pair is refused, and the certificate in use stays: {}: {}", e.file(),
                    e.problem());
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.warn("TLS: the changed pair is refused, and the certificate in use stays: {} and {}: {}",
                    files.cert(), files.key(), e.toString());
        }
    }

    /** What tells a changed file from the one seen before: time, size and identity of each. */
    private List<Object> stamp() {
        NodeConfig.TlsFiles files = tls.files();
        return List.of(stamp(files.cert()), stamp(files.key()));
    }

    private static Object stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            Object identity = attributes.fileKey();
            return List.of(attributes.lastModifiedTime(), attributes.size(), identity == null ? "" : identity);
        } catch (IOException e) {
            return "unreadable: " + e.getClass().getSimpleName();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
