package io.ballast.it.harness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test's DNS server answers as a resolver expects, over UDP and TCP, and follows the test's changes at once. */
class DnsServerTest {

    private final DnsServer dns = DnsServer.start(new FreePorts());

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void answersEveryAddressOfANameAndFollowsChangesWhileItRuns() throws Exception {
        dns.setA("nodes.example.test", List.of("127.9.9.2", "127.9.9.3"));
        assertEquals(List.of("127.9.9.2", "127.9.9.3"), dns.lookup("nodes.example.test").stream().sorted().toList());

        dns.setA("nodes.example.test", List.of("127.9.9.2", "127.9.9.3", "127.9.9.4"));
        assertEquals(List.of("127.9.9.2", "127.9.9.3", "127.9.9.4"),
                dns.lookup("NODES.Example.test").stream().sorted().toList(), "names are case-insensitive");

        dns.remove("nodes.example.test");
        assertEquals(List.of(), dns.lookup("nodes.example.test"), "a removed name is unknown");
        assertTrue(dns.wasAskedForA("nodes.example.test"), "queries: " + dns.queries());
    }

    @Test
    void unknownNameGetsNxdomainAndAnotherTypeGetsNoRecords() throws Exception {
        dns.setA("a.example.test", List.of("127.9.9.2"));

        Message unknown = ask("b.example.test", Type.A, false);
        assertEquals(Rcode.NXDOMAIN, unknown.getRcode());
        Message aaaa = ask("a.example.test", Type.AAAA, false);
        assertEquals(Rcode.NOERROR, aaaa.getRcode());
        assertEquals(List.of(), aaaa.getSection(Section.ANSWER));
    }

    @Test
    void answersOverTcpAsOverUdp() throws Exception {
        dns.setA("a.example.test", List.of("127.9.9.2", "127.9.9.5"));

        for (boolean tcp : new boolean[] {false, true}) {
            Message answer = ask("a.example.test", Type.A, tcp);
            assertEquals(Rcode.NOERROR, answer.getRcode(), tcp ? "tcp" : "udp");
            assertEquals(List.of("127.9.9.2", "127.9.9.5"), answer.getSection(Section.ANSWER).stream()
                    .map(Record::rdataToString).sorted().toList(), tcp ? "tcp" : "udp");
        }
        assertTrue(dns.queries().stream().anyMatch(line -> line.contains(" tcp a.example.test. A ")),
                "queries: " + dns.queries());
    }

    @Test
    void aMessageThatIsNoQueryGetsFormerrAndAShortOneNothing() {
        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07};
        byte[] answer = dns.answer(garbage, "udp", 512);
        assertEquals(0x12, answer[0]);
        assertEquals(0x34, answer[1]);
        assertEquals(Rcode.FORMERR, answer[3] & 0x0f);
        assertNull(dns.answer(new byte[] {1, 2, 3}, "udp", 512));
    }

    private Message ask(String name, int type, boolean tcp) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(DnsServer.HOST, dns.port()));
        resolver.setTCP(tcp);
        resolver.setTimeout(Duration.ofSeconds(2));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN)));
    }
}
