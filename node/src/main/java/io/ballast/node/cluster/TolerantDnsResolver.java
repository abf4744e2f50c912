package io.ballast.node.cluster;

import org.jgroups.Address;
import org.jgroups.protocols.dns.AddressedDNSResolver;
import org.jgroups.protocols.dns.DNSResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.naming.NamingException;
import java.util.List;

/**
 * The resolver of {@code --discovery dns:NAME@SERVER}: JGroups' own, asking that server, except that a lookup that
 * fails (the name has no A records yet, the server does not answer) finds no members instead of failing the node's
 * start. JGroups 5.4's {@code AddressedDNSResolver} reports that case through a log format its logger cannot apply,
 * and the exception ends the join; DNS records that appear a little after the first node starts are normal.
 */
final class TolerantDnsResolver implements DNSResolver {

    private static final String CONTEXT_FACTORY = "com.sun.jndi.dns.DnsContextFactory";
    private static final Logger LOG = LoggerFactory.getLogger(TolerantDnsResolver.class);

    private final String server;
    private final DNSResolver resolver;

    /** @param server {@code host} or {@code host:port} of the DNS server to ask */
    TolerantDnsResolver(String server) throws NamingException {
        this.server = server;
        this.resolver = new AddressedDNSResolver(CONTEXT_FACTORY, server);
    }

    @Override
    public List<Address> resolveIps(String query, DNSRecordType type) {
        try {
            return resolver.resolveIps(query, type);
        } catch (RuntimeException e) {
            LOG.debug("no {} records of {} from {}: {}", type, query, server, e.toString());
            return List.of();
        }
    }

    @Override
    public void close() {
        resolver.close();
    }
}
