package io.ballast.bench.load;

import java.net.URI;

/**
 * An address that load is sent to, as a DNS client knows it: a node, nginx, or the bare server.
 *
 * @param name the server's name (a node's {@code --name}), used to attribute errors
 * @param url  its base URL, e.g. {@code http://127.42.7.2:21000}
 */
public record Target(String name, URI url) {
}
