package io.ballast.node.limit;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ballast.protocol.Json;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rate-limit demand the members tell each other: one entry per member in a replicated cache, the JSON map of the
 * clients it sees and their requests a second. Writes go out asynchronously once a tick; reads are local.
 */
public final class SharedDemand {

    /** The replicated cache the demand travels in, defined by {@link DemandSharing#CACHES}. */
    public static final String CACHE = "ballast.demand";

    private static final Logger LOG = LoggerFactory.getLogger(SharedDemand.class);
    private static final TypeReference<Map<String, Double>> DEMAND = new TypeReference<>() {
    };

    private final String self;
    private final Cache<String, String> cache;
    private final Map<String, Map<String, Double>> byMember = new ConcurrentHashMap<>();
    private boolean publishedNothing = true;

    public SharedDemand(String self, Cache<String, String> cache) {
        this.self = self;
        this.cache = cache;
        cache.addListener(new DemandListener());
        cache.forEach(this::take);
    }

    /** Each client's demand summed over {@code members} other than this node. */
    public Map<String, Double> others(Set<String> members) {
        Map<String, Double> sum = new HashMap<>();
        byMember.forEach((member, demand) -> {
            if (!member.equals(self) && members.contains(member)) {
                demand.forEach((client, rate) -> sum.merge(client, rate, Double::sum));
            }
        });
        return sum;
    }

    /**
     * Tells the members this node's demand, without waiting for them. An empty demand is written once, as a removal.
     * Called from one thread.
     */
    public void publish(Map<String, Double> demand) {
        try {
            if (demand.isEmpty()) {
                if (!publishedNothing) {
                    cache.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).removeAsync(self);
                    publishedNothing = true;
                }
                return;
            }
            cache.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).putAsync(self, Json.write(demand));
            publishedNothing = false;
        } catch (RuntimeException e) {
            LOG.debug("rate-limit demand not published: {}", e.toString());
        }
    }

    /** Removes the entries of members that are gone; the coordinator does it for those that crashed. */
    public void forgetAllBut(Set<String> members) {
        byMember.keySet().removeIf(member -> !members.contains(member));
        try {
            for (String member : Set.copyOf(cache.keySet())) {
                if (!members.contains(member)) {
                    cache.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).removeAsync(member);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("rate-limit demand of gone members not cleared: {}", e.toString());
        }
    }

    private void take(String member, String json) {
        if (member.equals(self)) {
            return;
        }
        try {
            byMember.put(member, Map.copyOf(Json.mapper().readValue(json, DEMAND)));
        } catch (Exception e) {
            LOG.warn("ignored rate-limit demand from {} that is not a map of rates: {}", member, e.getMessage());
        }
    }

    @Listener
    public final class DemandListener {
        @CacheEntryCreated
        @CacheEntryModified
        public void onDemand(CacheEntryEvent<String, String> event) {
            if (!event.isPre() && event.getValue() != null) {
                take(event.getKey(), event.getValue());
            }
        }

        @CacheEntryRemoved
        public void onRemoved(CacheEntryRemovedEvent<String, String> event) {
            if (!event.isPre()) {
                byMember.remove(event.getKey());
            }
        }
    }
}
