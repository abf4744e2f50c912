package io.ballast.node.cluster;

import java.net.URI;

/**
 * A member this node may forward to right now: in the view, UP, with a fresh report.
 *
 * @param entry the member's latest report on this node's board; count forwards sent to it there
 */
public record Peer(String name, URI url, LoadBoard.Entry entry) {
}
