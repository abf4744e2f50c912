package io.ballast.node.session;

import io.ballast.node.cluster.CacheDefinitions;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.config.SessionMode;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.eviction.EvictionStrategy;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.transaction.LockingMode;
import org.infinispan.transaction.TransactionMode;
import org.infinispan.transaction.lookup.EmbeddedTransactionManagerLookup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The caches that hold sessions, defined on the node's cache manager before it starts.
 *
 * <ul>
 *   <li>{@value #SESSIONS}: the sessions of the cluster, synchronous, so that a write is on every owner before it
 *       returns, and transactional with pessimistic locking, so that writers of one session take turns. Distributed
 *       on {@code --session-owners} nodes (2 by default), or replicated to all. A node that joins gets its share by
 *       state transfer before it serves. In a partition both sides keep serving
 *       ({@link PartitionHandling#ALLOW_READ_WRITES}); when they merge, each session keeps the copy with the most
 *       writes ({@link NewestSessionWins}).</li>
 *   <li>{@value #BACKUP}, with {@code --data-dir} only: a local cache on a SoftIndexFileStore under
 *       {@code DIR/<node>/}, holding a copy of every session this node writes, written through before the write
 *       returns; few are kept in memory. {@link SessionStore#restore()} reads it when the node starts.</li>
 * </ul>
 */
public final class SessionCaches implements CacheDefinitions {

    public static final String SESSIONS = "ballast.sessions";
    public static final String BACKUP = "ballast.sessions.backup";

    /** How long a write waits for a session's lock: many writers of one session, or a member crashing with it. */
    static final long LOCK_TIMEOUT_MS = 10_000;

    /** How many backup entries stay in memory; the disk holds them all. */
    static final int BACKUP_IN_MEMORY = 1_000;

    private final NodeConfig config;
    private final Optional<Path> backupDir;

    /**
     * @param backupDir the node's own directory under {@code --data-dir} (locked by {@link DataDir}), or empty
     */
    public SessionCaches(NodeConfig config, Optional<Path> backupDir) {
        this.config = config;
        this.backupDir = backupDir;
    }

    /**
     * Transactions with pessimistic locking: a write takes the session's lock at its primary owner, and writers queue
     * for it ({@link SessionStore}).
     */
    static ConfigurationBuilder lockedPerSession(ConfigurationBuilder builder) {
        builder.transaction().transactionMode(TransactionMode.TRANSACTIONAL)
                .lockingMode(LockingMode.PESSIMISTIC)
                .transactionManagerLookup(new EmbeddedTransactionManagerLookup());
        builder.locking().lockAcquisitionTimeout(LOCK_TIMEOUT_MS);
        return builder;
    }

    /** The sessions start with the join, so that a node serves only once it holds its share of them. */
    @Override
    public List<String> startOnJoin() {
        return List.of(SESSIONS);
    }

    @Override
    public void define(ConfigurationBuilderHolder holder) {
        ConfigurationBuilder sessions = holder.newConfigurationBuilder(SESSIONS);
        if (config.sessions() == SessionMode.REPLICATED) {
            sessions.clustering().cacheMode(CacheMode.REPL_SYNC);
        } else {
            sessions.clustering().cacheMode(CacheMode.DIST_SYNC).hash().numOwners(config.sessionOwners());
        }
        sessions.clustering().stateTransfer().awaitInitialTransfer(true);
        lockedPerSession(sessions);
        sessions.clustering().partitionHandling().whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .mergePolicy(new NewestSessionWins());
        backupDir.ifPresent(dir -> {
            ConfigurationBuilder backup = holder.newConfigurationBuilder(BACKUP);
            backup.clustering().cacheMode(CacheMode.LOCAL);
            backup.memory().maxCount(BACKUP_IN_MEMORY).whenFull(EvictionStrategy.REMOVE);
            backup.persistence().passivation(false)
                    .addSoftIndexFileStore()
                    .dataLocation(dir.toString())
                    .indexLocation(dir.toString())
                    .preload(false)
                    .purgeOnStartup(false)
                    .shared(false);
        });
    }
}
