package io.ballast.node.cluster;

import io.ballast.node.config.Discovery;
import io.ballast.node.config.NodeConfig;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.PING;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

import javax.naming.NamingException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JGroups protocol stack of a node, built from its configuration. Its timings are the cluster's promises:
 *
 * <ul>
 *   <li>A killed process closes its sockets: {@code FD_SOCK2} sees it at once, {@code VERIFY_SUSPECT2} confirms
 *       within {@value #VERIFY_MS} ms, and the survivors install a view without it, well within 5 s.</li>
 *   <li>A hung process keeps its sockets open but sends no heartbeat: {@code FD_ALL3} suspects it after
 *       {@value #FD_TIMEOUT_MS} ms of silence (heartbeats every {@value #FD_INTERVAL_MS} ms), so it is gone within
 *       about 11 s, under the 15 s we promise.</li>
 *   <li>After a partition heals, {@code MERGE3} (which checks about every 1.6 × {@value #MERGE_MAX_MS} ms) finds
 *       the other side and merges the views in about 16 to 20 s, within the 30 s we promise.</li>
 *   <li>A node that leaves (SIGTERM, drain) tells the coordinator, which installs the new view at once.</li>
 * </ul>
 *
 * <p>Transports: {@code multicast} discovery runs on UDP with IP multicast; {@code static:} and {@code dns:} run on
 * TCP, so they work where multicast does not (clouds, containers, loopback). JGroups' diagnostics listener (which
 * would answer anyone's probe with the cluster's members and state) is off. Every socket of the stack is on the
 * node's {@code --bind} address: the transport's and failure detection's listeners, and the connections they open
 * to peers ({@link BoundFailureDetection}).
 *
 * <p>With {@code --secret}, the layers of {@link ClusterEncryption} sit right above the transport: every message of
 * every protocol is encrypted and authenticated, so a node without the secret cannot discover the members, let
 * alone join or merge. UNICAST3 then keeps its connection to a member for as long as that member is in the view
 * (JGroups would close one idle for two minutes, forget it four minutes later and open another under a new
 * connection id; a replayed recording of the old one would then be taken from its first message on). Without
 * {@code --secret} the cluster is open: any node that reaches the cluster port and uses the cluster name joins.
 * {@link WrongKeyFilter} sits above the transport either way and drops, with a line in the log, what a node with
 * another secret (or none) sends.
 */
public final class JGroupsStack {

    static final long FD_TIMEOUT_MS = 8_000;
    static final long FD_INTERVAL_MS = 2_000;
    static final long VERIFY_MS = 1_000;
    static final long MERGE_MIN_MS = 5_000;
    static final long MERGE_MAX_MS = 10_000;
    static final long JOIN_TIMEOUT_MS = 2_000;

    /** The multicast group and port used by {@code --discovery multicast}. */
    public static final String MULTICAST_GROUP = "239.6.7.8";
    public static final int MULTICAST_PORT = 46655;

    private JGroupsStack() {
    }

    /**
     * A new, unconnected channel named after the node, with {@code extra} inserted just above failure detection.
     */
    public static JChannel channel(NodeConfig config, Protocol... extra) throws Exception {
        List<Protocol> stack = new ArrayList<>();
        stack.add(transport(config));
        if (config.secret().isPresent()) {
            stack.addAll(ClusterEncryption.layers(config.secret().get()));
        } else {
            stack.add(new WrongKeyFilter());
        }
        stack.add(discovery(config));
        stack.add(new MERGE3().setMinInterval(MERGE_MIN_MS).setMaxInterval(MERGE_MAX_MS));
        stack.add(new BoundFailureDetection(config.bind()));
        stack.add(new FD_ALL3().setTimeout(FD_TIMEOUT_MS).setInterval(FD_INTERVAL_MS));
        stack.add(new VERIFY_SUSPECT2().setTimeout(VERIFY_MS));
        stack.addAll(List.of(extra));
        stack.add(new NAKACK2().useMcastXmit(false).setXmitInterval(200));
        UNICAST3 unicast = new UNICAST3().setXmitInterval(200);
        if (config.secret().isPresent()) {
            unicast.setConnExpiryTimeout(0); // no idle close: a member's connection id never changes while it stays
        }
        stack.add(unicast);
        stack.add(new STABLE().setDesiredAverageGossip(5_000).setMaxBytes(1_000_000));
        stack.add(new GMS().setJoinTimeout(JOIN_TIMEOUT_MS).printLocalAddress(false));
        stack.add(new UFC().setMaxCredits(4_000_000).setMinThreshold(0.4));
        if (config.discovery() instanceof Discovery.Multicast) {
            stack.add(new MFC().setMaxCredits(4_000_000).setMinThreshold(0.4));
        }
        stack.add(new FRAG4().setFragSize(60_000));
        JChannel channel = new JChannel(stack);
        // JChannel(List) turns diagnostics off already; said here so that no change of JGroups turns them on
        channel.getProtocolStack().getTransport().getDiagnosticsHandler().setEnabled(false);
        channel.name(config.name());
        return channel;
    }

    private static TP transport(NodeConfig config) {
        TP transport = config.discovery() instanceof Discovery.Multicast ? multicastTransport()
                : tcpTransport(config.bind());
        transport.setBindAddress(config.bind()).setBindPort(config.clusterPort());
        return transport;
    }

    private static TCP tcpTransport(InetAddress bind) {
        TCP tcp = new TCP();
        // connections to peers start from --bind too (JGroups would let the route to each peer pick the address)
        tcp.setClientBindAddr(bind);
        tcp.setSockConnTimeout(300);
        tcp.setPortRange(0);
        // no Nagle: a session read or write is a small request waiting for a small answer, which Nagle's algorithm
        // and delayed ACKs hold up by 40 ms (JGroups 5.4 turned tcp_nodelay off by default)
        tcp.tcpNodelay(true);
        return tcp;
    }

    private static UDP multicastTransport() {
        try {
            return new UDP().setMulticastAddress(InetAddress.getByName(MULTICAST_GROUP))
                    .setMulticastPort(MULTICAST_PORT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address: " + MULTICAST_GROUP, e);
        }
    }

    private static Protocol discovery(NodeConfig config) throws NamingException {
        Discovery discovery = config.discovery();
        if (discovery instanceof Discovery.Static fixed) {
            List<InetSocketAddress> hosts = new ArrayList<>();
            for (Discovery.HostPort member : fixed.members()) {
                int port = member.port() == 0 ? config.clusterPort() : member.port();
                hosts.add(new InetSocketAddress(member.host(), port));
            }
            return new TCPPING().setInitialHosts(hosts).setPortRange(0);
        }
        if (discovery instanceof Discovery.Dns dns) {
            DNS_PING ping = new DNS_PING().setDNSQuery(dns.name());
            ping.setValue("dns_record_type", "A");
            if (dns.server() != null) {
                ping.setValue("dns_address", dns.server());
                ping.setDNSResolver(new TolerantDnsResolver(dns.server()));
            }
            return ping;
        }
        return new PING();
    }
}
