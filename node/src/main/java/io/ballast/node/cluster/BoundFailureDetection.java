package io.ballast.node.cluster;

import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_SOCK2;

import java.net.InetAddress;

/**
 * JGroups' {@code FD_SOCK2} with both ends of its sockets on the node's {@code --bind} address. {@code FD_SOCK2}
 * listens on its bind address, but opens its own connection to the member it watches from whatever address the
 * route to that member picks (on a host with several addresses, or on loopback, usually another one), so firewall
 * rules written for the node's address would miss it. It keeps {@code FD_SOCK2}'s protocol id, so its messages are
 * the same as those of a plain {@code FD_SOCK2}.
 */
final class BoundFailureDetection extends FD_SOCK2 {

    BoundFailureDetection(InetAddress bind) {
        setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
        setBindAddress(bind);
    }

    @Override
    protected NioServer createServer(int[] bindPorts) {
        NioServer server = super.createServer(bindPorts);
        server.clientBindAddress(getBindAddress()); // the outgoing connection too, not only the listener
        return server;
    }
}
