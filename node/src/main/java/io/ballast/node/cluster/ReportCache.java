package io.ballast.node.cluster;

import io.ballast.protocol.Json;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.context.Flag;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * The replicated cache through which every member publishes its {@link LoadReport} (node name → report as JSON), and
 * the listener that copies each peer's report onto this node's {@link LoadBoard} as it arrives.
 */
public final class ReportCache {

    static final String NAME = "ballast.reports";

    private static final Logger LOG = LoggerFactory.getLogger(ReportCache.class);

    private final String self;
    private final Cache<String, String> reports;
    private final LoadBoard board;
    private final ClusterEvents events;

    /** Asynchronous: a report is out of date a few hundred milliseconds later, and nobody waits for one. */
    static void define(ConfigurationBuilderHolder holder) {
        holder.newConfigurationBuilder(NAME)
                .clustering().cacheMode(CacheMode.REPL_ASYNC)
                .stateTransfer().awaitInitialTransfer(true);
    }

    ReportCache(String self, Cache<String, String> reports, LoadBoard board, ClusterEvents events) {
        this.self = self;
        this.reports = reports;
        this.board = board;
        this.events = events;
    }

    /** Puts the reports of the members already there on the board, and listens for every later one. */
    void start() {
        reports.addListener(new ReportListener());
        reports.forEach((name, json) -> board.update(Json.read(json, LoadReport.class)));
    }

    /** Tells every member this node's latest report, without waiting for them. */
    void publish(LoadReport report) {
        board.update(report);
        reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES)
                .putAsync(report.name(), Json.write(report))
                .exceptionally(e -> {
                    LOG.debug("report not published: {}", e.toString());
                    return null;
                });
    }

    /**
     * Tells every member this node's report and returns once they all have it: for a change they must know before
     * this node acts on it, such as a drain.
     */
    void publishAndWait(LoadReport report) {
        board.update(report);
        try {
            reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES, Flag.FORCE_SYNCHRONOUS)
                    .put(report.name(), Json.write(report));
        } catch (RuntimeException e) {
            LOG.warn("report not confirmed by every member: {}", e.toString());
        }
    }

    /** Reports of members that crashed stay in the cache: the coordinator clears them, off the view thread. */
    void clearAllBut(Set<String> members) {
        try {
            if (!reports.getStatus().allowInvocations()) {
                return;
            }
            for (String name : Set.copyOf(reports.keySet())) {
                if (!members.contains(name)) {
                    reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).removeAsync(name);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("reports of gone members not cleared: {}", e.toString());
        }
    }

    /** Takes this node's report out of the cache as it leaves. */
    void withdraw() {
        try {
            reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).remove(self);
        } catch (RuntimeException e) {
            LOG.debug("own report not removed: {}", e.toString());
        }
    }

    @Listener
    public final class ReportListener {
        @CacheEntryCreated
        @CacheEntryModified
        public void onReport(CacheEntryEvent<String, String> event) {
            if (event.isPre() || event.getValue() == null || self.equals(event.getKey())) {
                return;
            }
            LoadReport report;
            try {
                report = Json.read(event.getValue(), LoadReport.class);
            } catch (IllegalArgumentException e) {
                LOG.warn("ignored a report from {} that is not one: {}", event.getKey(), e.getMessage());
                return;
            }
            boolean wasDraining = board.get(report.name())
                    .map(entry -> entry.report().state() == MemberState.DRAINING).orElse(false);
            board.update(report);
            if (report.state() == MemberState.DRAINING && !wasDraining) {
                events.publish(ClusterEvent.Type.DRAINING, report.name(), "it finishes what it has, then leaves");
            }
        }

        @CacheEntryRemoved
        public void onRemoved(CacheEntryRemovedEvent<String, String> event) {
            if (!event.isPre() && !self.equals(event.getKey())) {
                board.remove(event.getKey());
            }
        }
    }
}
