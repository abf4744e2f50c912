package io.ballast.node.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where cluster events are announced: each is logged once, then handed to every subscriber.
 */
public final class ClusterEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);

    private final List<Consumer<ClusterEvent>> subscribers = new CopyOnWriteArrayList<>();

    public void publish(ClusterEvent.Type type, String member, String detail) {
        ClusterEvent event = new ClusterEvent(type, member, detail, Instant.now());
        LOG.info("{} {}: {}", event.type().wireName(), member, detail);
        for (Consumer<ClusterEvent> subscriber : subscribers) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("event subscriber failed on {}", event.type().wireName(), e);
            }
        }
    }

    /** Adds a subscriber; the returned handle removes it. */
    public AutoCloseable subscribe(Consumer<ClusterEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }
}
