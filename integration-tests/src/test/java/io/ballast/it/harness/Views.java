package io.ballast.it.harness;

import io.ballast.protocol.ClusterView;
import io.ballast.protocol.MemberState;
import io.ballast.protocol.MemberView;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reading cluster views: who is in them, whether they are settled, whether nodes agree. */
public final class Views {

    private Views() {
    }

    /** The member names of {@code view}, in view order. */
    public static List<String> names(ClusterView view) {
        return view.members().stream().map(MemberView::name).toList();
    }

    /** The names of {@code nodes}, in the given order. */
    public static List<String> namesOf(Collection<NodeProcess> nodes) {
        return nodes.stream().map(NodeProcess::name).toList();
    }

    /**
     * Whether {@code view} is settled on exactly {@code members}: each listed once, nobody else, every one UP and
     * reporting the URL it really serves at.
     */
    public static boolean showsExactly(ClusterView view, Collection<NodeProcess> members) {
        if (view.members().size() != members.size()) {
            return false;
        }
        Map<String, MemberView> byName = view.members().stream()
                .collect(Collectors.toMap(MemberView::name, Function.identity(), (a, b) -> a));
        for (NodeProcess member : members) {
            MemberView seen = byName.get(member.name());
            if (seen == null || seen.state() != MemberState.UP || !member.url().equals(seen.url())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether every one of {@code observers} reports the same view (same id, same coordinator) and it
     * {@link #showsExactly shows exactly} {@code members}.
     *
     * @throws java.io.UncheckedIOException when an observer does not answer
     */
    public static boolean agree(Collection<NodeProcess> observers, Collection<NodeProcess> members) {
        Set<Long> viewIds = new HashSet<>();
        Set<String> coordinators = new HashSet<>();
        for (NodeProcess observer : observers) {
            ClusterView view = observer.view();
            if (!observer.name().equals(view.self()) || !showsExactly(view, members)) {
                return false;
            }
            viewIds.add(view.viewId());
            coordinators.add(Objects.toString(view.coordinator()));
        }
        return viewIds.size() == 1 && coordinators.size() == 1;
    }

    /** Whether none of {@code observers} lists {@code gone} in its view any more. */
    public static boolean noneShows(Collection<NodeProcess> observers, NodeProcess gone) {
        for (NodeProcess observer : observers) {
            if (names(observer.view()).contains(gone.name())) {
                return false;
            }
        }
        return true;
    }

    /** One line for people: {@code view 4, coordinator n1: n1 UP http://…, n2 SUSPECT (no url, report -1 ms)}. */
    public static String summary(ClusterView view) {
        String members = view.members().stream()
                .map(m -> m.name() + " " + m.state() + " " + (m.url() == null ? "(no url)" : m.url())
                        + " report " + m.reportAgeMs() + " ms")
                .collect(Collectors.joining(", "));
        return "cluster '" + view.cluster() + "' view " + view.viewId() + ", coordinator " + view.coordinator()
                + ", " + view.members().size() + " members: [" + members + "]";
    }
}
