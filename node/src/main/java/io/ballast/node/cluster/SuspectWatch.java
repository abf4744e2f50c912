package io.ballast.node.cluster;

import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * A protocol layer just above {@code VERIFY_SUSPECT2} that passes every event on unchanged and tells Ballast when
 * failure detection has confirmed a suspicion, before the coordinator installs the view without that member.
 */
public final class SuspectWatch extends Protocol {

    private final Consumer<Collection<Address>> onSuspect;

    public SuspectWatch(Consumer<Collection<Address>> onSuspect) {
        this.onSuspect = onSuspect;
    }

    @Override
    public Object up(Event evt) {
        if (evt.getType() == Event.SUSPECT) {
            Collection<Address> suspects = evt.arg();
            if (suspects != null && !suspects.isEmpty()) {
                onSuspect.accept(suspects);
            }
        }
        return up_prot.up(evt);
    }
}
