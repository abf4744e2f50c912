package io.ballast.node.cluster;

import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.EncryptHeader;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A protocol layer right above the transport that drops the messages this node cannot read because their sender
 * runs with another {@code --secret}, or with none while this node has one, or with one while this node has none;
 * and says so in the log once per sender, then once a minute while it goes on, with a count.
 *
 * <p>{@code SYM_ENCRYPT} drops these too, but logs an error line for each, so that one misconfigured node (which
 * keeps looking for its peers) fills its peers' logs. What the filter lets through is exactly what
 * {@code SYM_ENCRYPT} would try to decrypt: a message carrying its header and this cluster's key version. Whether it
 * really was sealed under the key, and unchanged, is for the cipher's tag to tell.
 */
final class WrongKeyFilter extends Protocol {

    /** How often drops from one sender are reported after the first, as a count. */
    static final long REPORT_EVERY_MS = 60_000;

    /** Senders tracked at once; beyond that the tally starts afresh, so that a flood of addresses cannot grow it. */
    static final int MAX_SENDERS = 256;

    private static final short ENCRYPT_ID = ClassConfigurator.getProtocolId(SYM_ENCRYPT.class);

    private static final Logger LOG = LoggerFactory.getLogger(WrongKeyFilter.class);

    /** Why a message is dropped, as the log tells it. */
    enum Reason {
        UNENCRYPTED("not encrypted: it runs without --secret"),
        OTHER_KEY("encrypted under another key: it runs with another --secret than this node"),
        ENCRYPTED("encrypted: it runs with --secret and this node without");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    /** This node's encryption layer, or null when it runs without {@code --secret}. */
    private final SYM_ENCRYPT encrypt;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    /** For a node with {@code --secret}: lets through what carries {@code encrypt}'s header and key version. */
    WrongKeyFilter(SYM_ENCRYPT encrypt) {
        this.encrypt = encrypt;
    }

    /** For a node without {@code --secret}: drops what a node with one encrypted. */
    WrongKeyFilter() {
        this(null);
    }

    /** How many messages this layer has dropped since it started. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public Object up(Message msg) {
        Reason reason = reject(msg);
        if (reason == null) {
            return up_prot.up(msg);
        }
        count(msg.src(), reason);
        return null;
    }

    @Override
    public void up(MessageBatch batch) {
        batch.removeIf(msg -> {
            Reason reason = reject(msg);
            if (reason != null) {
                count(msg.src() != null ? msg.src() : batch.sender(), reason);
            }
            return reason != null;
        }, true);
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }

    /** Why this node cannot read {@code msg}, or null when it may. */
    Reason reject(Message msg) {
        EncryptHeader header = msg.getHeader(ENCRYPT_ID);
        if (encrypt == null) {
            return header == null ? null : Reason.ENCRYPTED;
        }
        if (header == null) {
            return Reason.UNENCRYPTED;
        }
        byte[] ours = encrypt.symVersion();
        return ours == null || Arrays.equals(ours, header.version()) ? null : Reason.OTHER_KEY;
    }

    private void count(Address source, Reason reason) {
        dropped.incrementAndGet();
        String sender = source == null ? "an unnamed sender" : source.toString();
        if (tallies.size() >= MAX_SENDERS && !tallies.containsKey(sender)) {
            tallies.clear();
        }
        Tally tally = tallies.computeIfAbsent(sender, s -> new Tally());
        synchronized (tally) {
            tally.count++;
            long now = System.nanoTime();
            if (tally.reportedAt == null) {
                LOG.warn("dropped a cluster message from {}, {}; it cannot join this node's cluster (further drops "
                        + "from it are counted once a minute)", sender, reason.text);
            } else if (now - tally.reportedAt >= REPORT_EVERY_MS * 1_000_000) {
                LOG.warn("dropped {} more cluster messages from {} since the last report, {}", tally.count, sender,
                        reason.text);
            } else {
                return;
            }
            tally.reportedAt = now;
            tally.count = 0;
        }
    }

    /** Drops from one sender since it was last reported. */
    private static final class Tally {
        long count;
        Long reportedAt;
    }
}
