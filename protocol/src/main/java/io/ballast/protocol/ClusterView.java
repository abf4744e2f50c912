package io.ballast.protocol;

import java.util.List;

/**
 * The cluster as one node sees it: the document served at {@code /_ballast/cluster}.
 *
 * @param cluster     the cluster name ({@code --cluster})
 * @param self        the name of the node that answered
 * @param coordinator the name of the member that coordinates the current view
 * @param viewId      increases with every membership change the node has seen
 * @param members     every member of the current view, in view order
 */
public record ClusterView(String cluster, String self, String coordinator, long viewId, List<MemberView> members) {

    public ClusterView {
        members = List.copyOf(members);
    }
}
