package io.ballast.it.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start one node: its name, where it listens, which cluster it joins and how it finds its peers. Immutable;
 * every {@code with…} method returns a changed copy, so a test can take a node {@link TestCluster} laid out and bend
 * one option (a bad port, another cluster, extra flags) without repeating the rest.
 *
 * @param name        {@code --name}
 * @param bind        {@code --bind}: the node's own loopback address, e.g. {@code 127.42.7.2}
 * @param httpPort    {@code --http-port}
 * @param clusterPort {@code --cluster-port} (failure detection also listens on port+100 to port+103)
 * @param cluster     {@code --cluster}
 * @param discovery   {@code --discovery}, or null to leave it out (the node then uses its default)
 * @param extraArgs   further arguments, appended as given after the ones above
 * @param host        the network namespace the node runs in ({@link TestHosts}), or null for this machine's own
 */
public record NodeSpec(String name, String bind, int httpPort, int clusterPort, String cluster, String discovery,
                       List<String> extraArgs, String host) {

    public NodeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(cluster, "cluster");
        extraArgs = List.copyOf(extraArgs);
    }

    /** A node on this machine's own network (no namespace). */
    public NodeSpec(String name, String bind, int httpPort, int clusterPort, String cluster, String discovery,
                    List<String> extraArgs) {
        this(name, bind, httpPort, clusterPort, cluster, discovery, extraArgs, null);
    }

    /**
     * The node's HTTP base URL, as it reports it in the view: {@code http://127.42.7.2:21000}, or {@code https://…}
     * for a node with {@code --tls-cert}.
     */
    public String url() {
        return (tlsCert().isPresent() ? "https://" : "http://") + bind + ":" + httpPort;
    }

    /** The file given to {@code --tls-cert}, if any. */
    public Optional<Path> tlsCert() {
        int i = extraArgs.indexOf("--tls-cert");
        return i >= 0 && i + 1 < extraArgs.size() ? Optional.of(Path.of(extraArgs.get(i + 1))) : Optional.empty();
    }

    /** {@code host:port} of the cluster transport, as a {@code static:} discovery list names it. */
    public String clusterAddress() {
        return bind + ":" + clusterPort;
    }

    /** The node's command line, after {@code java -jar ballast-node.jar}. */
    public List<String> args() {
        List<String> args = new ArrayList<>(List.of(
                "--name", name,
                "--bind", bind,
                "--http-port", Integer.toString(httpPort),
                "--cluster", cluster,
                "--cluster-port", Integer.toString(clusterPort)));
        if (discovery != null) {
            args.add("--discovery");
            args.add(discovery);
        }
        args.addAll(extraArgs);
        return args;
    }

    public NodeSpec withName(String newName) {
        return new NodeSpec(newName, bind, httpPort, clusterPort, cluster, discovery, extraArgs, host);
    }

    public NodeSpec withHttpPort(int port) {
        return new NodeSpec(name, bind, port, clusterPort, cluster, discovery, extraArgs, host);
    }

    public NodeSpec withClusterPort(int port) {
        return new NodeSpec(name, bind, httpPort, port, cluster, discovery, extraArgs, host);
    }

    public NodeSpec withCluster(String newCluster) {
        return new NodeSpec(name, bind, httpPort, clusterPort, newCluster, discovery, extraArgs, host);
    }

    public NodeSpec withDiscovery(String spec) {
        return new NodeSpec(name, bind, httpPort, clusterPort, cluster, spec, extraArgs, host);
    }

    /** This spec on the host (network namespace) {@code namespace}. */
    public NodeSpec withHost(String namespace) {
        return new NodeSpec(name, bind, httpPort, clusterPort, cluster, discovery, extraArgs, namespace);
    }

    /** This spec with {@code more} appended to its extra arguments, e.g. {@code withArgs("--capacity", "4")}. */
    public NodeSpec withArgs(String... more) {
        List<String> args = new ArrayList<>(extraArgs);
        args.addAll(List.of(more));
        return new NodeSpec(name, bind, httpPort, clusterPort, cluster, discovery, args, host);
    }

    /** {@code static:} discovery naming the cluster address of every node in {@code members}, in order. */
    public static String staticDiscovery(List<NodeSpec> members) {
        StringBuilder spec = new StringBuilder("static:");
        for (NodeSpec member : members) {
            spec.append(spec.length() == "static:".length() ? "" : ",").append(member.clusterAddress());
        }
        return spec.toString();
    }
}
