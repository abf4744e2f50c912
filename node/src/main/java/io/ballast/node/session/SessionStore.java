package io.ballast.node.session;

import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.commons.util.IntSet;
import org.infinispan.context.Flag;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.distribution.LocalizedCacheTopology;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.DataRehashed;
import org.infinispan.notifications.cachelistener.event.DataRehashedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * The sessions of the cluster, in an Infinispan cache: session id → {@link SessionData} as JSON. Plain strings
 * cross the network and the disk, so no marshaller setup is needed and no class is ever loaded from them.
 *
 * <p><b>Concurrency: a lock per session.</b> The cache is transactional with pessimistic locking. A write locks the
 * session at its primary owner and reads it there, in one step, applies its change to that latest copy, and commits
 * (one more step, to every owner, before it returns). Writers of one session from any nodes wait in line for its
 * lock, first come first served, so concurrent writes lose nothing and none starves. (Compare-and-set was tried
 * first: a writer on the owner, whose round trip is local, won every race against a writer elsewhere.) A change is
 * a function of the session it applies to: {@code setAttribute} changes one attribute, and
 * {@link ClusteredSession#update} computes the new value from the latest one. Each write carries a random
 * {@link SessionData#writer() writer} mark: when a commit fails in a way that leaves it unknown whether it took
 * effect (a member crashing mid-write), the retry sees from the mark that it did, and does not apply it twice.
 * Every copy has a {@link SessionData#version() version} one more than the copy it replaced.
 *
 * <p><b>Backup.</b> With a backup cache (a local cache on a file store, {@code --data-dir}), every copy this node
 * writes is also written there, before the write returns. {@link #restore} puts those copies back into the cluster
 * when the node starts, where they are newer than what the cluster has, or it has none.
 *
 * <p>The cost per request: one read of the session (at the owner when this node is not one); per change, a lock with
 * a read and a commit; and a write every {@link SessionData#touchAfterMs} per session to record accesses.
 */
public final class SessionStore {

    /** A write that fails this many times in a row (lock timeouts, members crashing mid-write) gives up. */
    static final int MAX_TRIES = 5;

    private static final Logger LOG = LoggerFactory.getLogger(SessionStore.class);

    /** A session as read: its id, its stored text exactly (for compare-and-set) and what that says. */
    public record Copy(String id, String json, SessionData data) {
    }

    /** A write: the copy it replaced and the copy it made. */
    public record Written(Copy before, Copy after) {
    }

    /**
     * What {@link #restore} did with the copies in the backup: put back, not newer than the cluster's, expired, not
     * readable as a session, or not restored because the cluster kept failing (logged).
     */
    public record Restored(int restored, int current, int expired, int unreadable, int failed) {
    }

    /** A change to a session: the new version, given the latest, the writer mark of this write and the time. */
    @FunctionalInterface
    interface Change {
        SessionData apply(SessionData latest, String writer, long now);
    }

    private final Cache<String, String> sessions;
    private final Cache<String, String> backup;
    private final SessionIds ids;
    private final LongSupplier clock;
    private final int fallbackTimeout;
    private volatile long primaryCount;
    private volatile long lastBackupWarning;

    /**
     * @param sessions        the cluster's session cache
     * @param backup          a local cache on disk that keeps a copy of every write this node makes, or null
     * @param fallbackTimeout seconds to keep the tombstone of a session that never expires
     */
    public SessionStore(Cache<String, String> sessions, Cache<String, String> backup, int fallbackTimeout) {
        this(sessions, backup, fallbackTimeout, new SessionIds(), System::currentTimeMillis);
    }

    SessionStore(Cache<String, String> sessions, Cache<String, String> backup, int fallbackTimeout, SessionIds ids,
                 LongSupplier clock) {
        this.sessions = sessions;
        this.backup = backup;
        this.fallbackTimeout = fallbackTimeout;
        this.ids = ids;
        this.clock = clock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** The live session {@code id}, or null when there is none (never was, expired, invalidated, unreadable). */
    public Copy read(String id) {
        Copy copy = readAny(id);
        return copy != null && copy.data().isLive(now()) ? copy : null;
    }

    /** Whatever is stored under {@code id}, tombstones and expired sessions included, or null. */
    private Copy readAny(String id) {
        return parse(id, sessions.get(id));
    }

    /** A new session under a new id, stored. */
    public Copy create(int timeoutSeconds) {
        while (true) {
            String id = ids.next();
            long now = now();
            SessionData data = SessionData.fresh(now, timeoutSeconds, ids.writer());
            String json = data.toJson();
            if (sessions.putIfAbsent(id, json, data.lifespanMs(now, fallbackTimeout), TimeUnit.MILLISECONDS) == null) {
                Copy copy = new Copy(id, json, data);
                backUp(copy, now);
                return copy;
            }
            // 192 random bits taken already: not in this universe, but never overwrite
        }
    }

    /**
     * Applies {@code edit} to the latest copy of the session and stores the result as the next version.
     *
     * @param base the copy this request read: the change is applied to the latest copy, which may be newer
     * @throws SessionGoneException  when the session has been invalidated or has expired
     * @throws IllegalStateException when {@value #MAX_TRIES} attempts in a row failed (each waits up to
     *                               {@value SessionCaches#LOCK_TIMEOUT_MS} ms for the session's lock)
     */
    public Written write(Copy base, UnaryOperator<SessionData> edit) {
        return write(base, (latest, writer, now) -> edit.apply(latest).next(writer, now));
    }

    /**
     * Replaces the session with its tombstone, so that every node sees it gone at once. A session already gone stays
     * gone.
     */
    public void invalidate(Copy base) {
        try {
            write(base, (latest, writer, now) -> latest.tombstone(writer, now));
        } catch (SessionGoneException e) {
            // invalidated or expired meanwhile: what we wanted
        }
    }

    /**
     * Moves the session to a new id (its latest attributes, timeout and creation time) and buries the old id.
     *
     * @throws SessionGoneException when the session has been invalidated or has expired
     */
    public Copy rename(Copy base) {
        Written buried = write(base, (latest, writer, now) -> latest.tombstone(writer, now));
        SessionData last = buried.before().data();
        while (true) {
            String id = ids.next();
            long now = now();
            SessionData data = new SessionData(false, 1, ids.writer(), last.created(), now, last.timeout(),
                    last.attributes());
            String json = data.toJson();
            if (sessions.putIfAbsent(id, json, data.lifespanMs(now, fallbackTimeout), TimeUnit.MILLISECONDS) == null) {
                Copy copy = new Copy(id, json, data);
                backUp(copy, now);
                return copy;
            }
        }
    }

    Written write(Copy base, Change change) {
        String id = base.id();
        String writer = ids.writer();
        AdvancedCache<String, String> cache = sessions.getAdvancedCache();
        TransactionManager transactions = cache.getTransactionManager();
        Exception lastFailure = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                Written written = writeOnce(cache, transactions, id, writer, change);
                backUp(written.after(), now());
                return written;
            } catch (SessionGoneException e) {
                throw e;
            } catch (RuntimeException | NotSupportedException | SystemException | RollbackException
                     | HeuristicMixedException | HeuristicRollbackException e) {
                // not written, or not known to be: the next attempt finds out from the writer mark
                lastFailure = e;
                LOG.debug("write to session {} failed, attempt {}: {}", SessionGoneException.abbreviated(id), attempt,
                        e.toString());
                backOff(attempt);
            }
        }
        throw new IllegalStateException("session " + SessionGoneException.abbreviated(id) + ": not written after "
                + MAX_TRIES + " attempts (last failure: " + lastFailure + ")", lastFailure);
    }

    /** One transaction: lock and read the latest copy at the primary owner, write the change, commit. */
    private Written writeOnce(AdvancedCache<String, String> cache, TransactionManager transactions, String id,
                              String writer, Change change) throws NotSupportedException, SystemException,
            RollbackException, HeuristicMixedException, HeuristicRollbackException {
        transactions.begin();
        boolean commit = false;
        try {
            Copy latest = parse(id, cache.withFlags(Flag.FORCE_WRITE_LOCK).get(id));
            long now = now();
            if (latest != null && writer.equals(latest.data().writer())) {
                // an earlier attempt committed although it did not say so: done, and not twice
                return new Written(latest, latest);
            }
            if (latest == null || !latest.data().isLive(now)) {
                throw new SessionGoneException(id);
            }
            SessionData next = change.apply(latest.data(), writer, now);
            String json = next.toJson();
            cache.withFlags(Flag.IGNORE_RETURN_VALUES).put(id, json, next.lifespanMs(now, fallbackTimeout),
                    TimeUnit.MILLISECONDS);
            commit = true;
            return new Written(latest, new Copy(id, json, next));
        } finally {
            if (commit) {
                transactions.commit();
            } else {
                transactions.rollback();
            }
        }
    }

    private static Copy parse(String id, String json) {
        if (json == null) {
            return null;
        }
        try {
            return new Copy(id, json, SessionData.parse(json));
        } catch (IllegalArgumentException e) {
            LOG.warn("session {} is unreadable and counts as none: {}", SessionGoneException.abbreviated(id),
                    e.getMessage());
            return null;
        }
    }

    /**
     * Records an access to the session without waiting for it: a write that refreshes its recorded access time and
     * so its expiry. Lost races are fine: the write that won recorded an access too.
     */
    public void touch(Copy base) {
        long now = now();
        SessionData touched = base.data().next(ids.writer(), now);
        String json = touched.toJson();
        sessions.replaceAsync(base.id(), base.json(), json, touched.lifespanMs(now, fallbackTimeout),
                        TimeUnit.MILLISECONDS)
                .whenComplete((replaced, failure) -> {
                    if (failure != null) {
                        LOG.debug("access to session {} not recorded: {}", SessionGoneException.abbreviated(base.id()),
                                failure.toString());
                    } else if (replaced) {
                        backUpAsync(new Copy(base.id(), json, touched), now);
                    }
                });
    }

    private void backUp(Copy copy, long now) {
        if (backup == null) {
            return;
        }
        try {
            backup.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).put(copy.id(), copy.json(),
                    copy.data().lifespanMs(now, fallbackTimeout), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            warnBackupFailed(e);
        }
    }

    private void backUpAsync(Copy copy, long now) {
        if (backup == null) {
            return;
        }
        backup.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).putAsync(copy.id(), copy.json(),
                        copy.data().lifespanMs(now, fallbackTimeout), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    warnBackupFailed(e);
                    return null;
                });
    }

    /** A failing disk must not fail requests: it is logged, at most once a minute. */
    private void warnBackupFailed(Throwable e) {
        long now = System.nanoTime();
        if (now - lastBackupWarning > TimeUnit.MINUTES.toNanos(1) || lastBackupWarning == 0) {
            lastBackupWarning = now;
            LOG.warn("session backup on disk failed (sessions are still kept by the cluster): {}", e.toString());
        }
    }

    /**
     * Puts every copy in this node's backup back into the cluster where the cluster has none of that session, or an
     * older one. A tombstone is restored too, so that an older copy elsewhere cannot bring its session back. Copies
     * that have expired are skipped. Safe to run while the cluster serves: every step is conditional. Up to
     * {@value #RESTORE_IN_FLIGHT} sessions are restored at once.
     */
    public Restored restore() {
        if (backup == null) {
            return new Restored(0, 0, 0, 0, 0);
        }
        Map<Outcome, AtomicInteger> outcomes = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new AtomicInteger());
        }
        Semaphore window = new Semaphore(RESTORE_IN_FLIGHT);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        try (CloseableIterator<Map.Entry<String, String>> it = backup.entrySet().iterator()) {
            while (it.hasNext()) {
                Map.Entry<String, String> entry = it.next();
                String id = entry.getKey();
                String json = entry.getValue();
                SessionData saved;
                try {
                    saved = SessionData.parse(json);
                } catch (IllegalArgumentException e) {
                    outcomes.get(Outcome.UNREADABLE).incrementAndGet();
                    continue;
                }
                window.acquireUninterruptibly();
                pending.add(restore(id, json, saved, 1)
                        .exceptionally(failure -> {
                            LOG.warn("session {} not restored: {}", SessionGoneException.abbreviated(id),
                                    failure.toString());
                            return Outcome.FAILED;
                        })
                        .thenAccept(outcome -> {
                            outcomes.get(outcome).incrementAndGet();
                            window.release();
                        })
                        .toCompletableFuture());
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        return new Restored(outcomes.get(Outcome.RESTORED).get(), outcomes.get(Outcome.CURRENT).get(),
                outcomes.get(Outcome.EXPIRED).get(), outcomes.get(Outcome.UNREADABLE).get(),
                outcomes.get(Outcome.FAILED).get());
    }

    /** How many sessions {@link #restore()} puts back at once. */
    static final int RESTORE_IN_FLIGHT = 64;

    private enum Outcome { RESTORED, CURRENT, EXPIRED, UNREADABLE, FAILED }

    private CompletionStage<Outcome> restore(String id, String json, SessionData saved, int attempt) {
        long now = now();
        if (saved.expiresAt(fallbackTimeout) <= now) {
            return CompletableFuture.completedFuture(Outcome.EXPIRED);
        }
        if (attempt > MAX_TRIES) {
            LOG.warn("session {} not restored: it kept changing", SessionGoneException.abbreviated(id));
            return CompletableFuture.completedFuture(Outcome.FAILED);
        }
        long lifespan = saved.lifespanMs(now, fallbackTimeout);
        return sessions.getAsync(id).thenCompose(theirs -> {
            if (theirs == null) {
                return sessions.putIfAbsentAsync(id, json, lifespan, TimeUnit.MILLISECONDS)
                        .thenCompose(previous -> previous == null ? CompletableFuture.completedFuture(Outcome.RESTORED)
                                : restore(id, json, saved, attempt + 1));
            }
            SessionData cluster;
            try {
                cluster = SessionData.parse(theirs);
            } catch (IllegalArgumentException e) {
                cluster = null; // unreadable: ours is better
            }
            if (cluster != null && !saved.newerThan(cluster)) {
                return CompletableFuture.completedFuture(Outcome.CURRENT);
            }
            return sessions.replaceAsync(id, theirs, json, lifespan, TimeUnit.MILLISECONDS)
                    .thenCompose(replaced -> replaced ? CompletableFuture.completedFuture(Outcome.RESTORED)
                            : restore(id, json, saved, attempt + 1));
        });
    }

    /**
     * Logs the end of every rebalance of the sessions (after a member joined or left): from then on each session has
     * its full number of owners again, so losing one more member loses none.
     */
    public void logRebalances() {
        sessions.addListener(new RebalanceLog());
    }

    @Listener
    public static final class RebalanceLog {
        @DataRehashed
        public void onRebalance(DataRehashedEvent<?, ?> event) {
            if (!event.isPre()) {
                LOG.info("sessions rebalanced over {} members {} (topology {})", event.getMembersAtEnd().size(),
                        event.getMembersAtEnd(), event.getNewTopologyId());
            }
        }
    }

    /**
     * Counts again the live sessions whose primary owner is this node, for {@link #primaryOwnedCount()}. Walks this
     * node's own entries: call it every second or so, not per request.
     */
    public void recount() {
        AdvancedCache<String, String> cache = sessions.getAdvancedCache();
        DistributionManager distribution = cache.getDistributionManager();
        LocalizedCacheTopology topology = distribution == null ? null : distribution.getCacheTopology();
        IntSet primary = topology == null ? null : topology.getLocalPrimarySegments();
        long count = 0;
        try (CloseableIterator<Map.Entry<String, String>> it = cache
                .withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD).entrySet().iterator()) {
            while (it.hasNext()) {
                Map.Entry<String, String> entry = it.next();
                if ((primary == null || primary.contains(topology.getSegment(entry.getKey())))
                        && !SessionData.isTombstone(entry.getValue())) {
                    count++;
                }
            }
        }
        primaryCount = count;
    }

    /** The live sessions whose primary owner is this node, as of the last {@link #recount()}. */
    public long primaryOwnedCount() {
        return primaryCount;
    }

    /** The ids of every live session in the cluster. Walks the whole cluster: for tools, not for requests. */
    public Set<String> liveIds() {
        Set<String> live = new HashSet<>();
        long now = now();
        try (CloseableIterator<Map.Entry<String, String>> it = sessions.entrySet().iterator()) {
            while (it.hasNext()) {
                Map.Entry<String, String> entry = it.next();
                if (!SessionData.isTombstone(entry.getValue())) {
                    try {
                        if (SessionData.parse(entry.getValue()).isLive(now)) {
                            live.add(entry.getKey());
                        }
                    } catch (IllegalArgumentException e) {
                        // not a session: not listed
                    }
                }
            }
        }
        return live;
    }

    /** Whether stopping this node would lose sessions: it is the only member, and keeps no backup on disk. */
    public boolean sessionsDieWithThisNode() {
        if (backup != null) {
            return false;
        }
        DistributionManager distribution = sessions.getAdvancedCache().getDistributionManager();
        return distribution == null || distribution.getCacheTopology().getMembers().size() <= 1;
    }

    private static void backOff(int attempt) {
        if (attempt < 3) {
            return;
        }
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, Math.min(attempt, 10) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a session", e);
        }
    }
}
