package io.ballast.node.cluster;

import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;

import java.util.List;

/**
 * The caches a concern of the node keeps in the cluster (sessions, the rate limit's demand), handed to
 * {@link Cluster#join}: the cluster runs them without knowing what they hold.
 */
public interface CacheDefinitions {

    /** Adds this concern's caches to the cache manager's configuration, before it starts. */
    void define(ConfigurationBuilderHolder holder);

    /**
     * The caches to start while joining, so that the join returns only once this node holds its share of them;
     * the others start on first use.
     */
    default List<String> startOnJoin() {
        return List.of();
    }
}
