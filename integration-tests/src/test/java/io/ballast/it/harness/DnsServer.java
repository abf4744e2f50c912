package io.ballast.it.harness;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server inside the test, for DNS discovery: it answers A records from a map that the test can change while
 * it runs, over UDP and TCP on {@value #HOST} and a free port, and nothing else. Messages are read and written by
 * dnsjava; the answers are authoritative with a TTL of 0, so that a resolver asks again each time. A name it does
 * not hold gets NXDOMAIN; a name it holds asked for another type gets no records (NOERROR); any opcode but QUERY
 * gets NOTIMP; a message it cannot parse, FORMERR (or nothing, when not even its header can be read). Every query is
 * kept in a bounded log ({@link #queries()}).
 *
 * <pre>{@code
 * try (DnsServer dns = DnsServer.start(ports)) {
 *     dns.setA("nodes.it.test", List.of("127.9.9.2", "127.9.9.3"));
 *     String discovery = dns.discovery("nodes.it.test");  // dns:nodes.it.test@127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class DnsServer implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    /** How many queries {@link #queries()} keeps, the latest. */
    static final int QUERY_LOG_SIZE = 1000;
    /** How long a TCP client may take to send its query, or to read the answer, before it is dropped. */
    private static final int TCP_TIMEOUT_MS = 2_000;
    private static final int UDP_MAX = 512;

    private final Map<Name, List<InetAddress>> aRecords = new ConcurrentHashMap<>();
    private final Deque<String> queryLog = new ArrayDeque<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Thread udpThread;
    private final Thread tcpThread;
    private volatile boolean closed;

    private DnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        this.udpThread = new Thread(this::serveUdp, "dns-udp-" + port());
        this.tcpThread = new Thread(this::serveTcp, "dns-tcp-" + port());
        udpThread.setDaemon(true);
        tcpThread.setDaemon(true);
    }

    /** Starts a server with no records, on a port free for UDP and TCP on {@value #HOST}. */
    public static DnsServer start(FreePorts ports) {
        InetSocketAddress address = new InetSocketAddress(loopback(), ports.udpAndTcp(HOST));
        DatagramSocket udp = null;
        try {
            udp = new DatagramSocket(address);
            ServerSocket tcp = new ServerSocket();
            tcp.bind(address);
            DnsServer server = new DnsServer(udp, tcp);
            server.udpThread.start();
            server.tcpThread.start();
            return server;
        } catch (IOException e) {
            if (udp != null) {
                udp.close();
            }
            throw new UncheckedIOException("cannot listen on " + address + " for DNS", e);
        }
    }

    /** Makes {@code name} resolve to {@code addresses} (IPv4, one A record each), replacing what it had. */
    public void setA(String name, List<String> addresses) {
        List<InetAddress> parsed = new ArrayList<>();
        for (String address : addresses) {
            InetAddress inet = parseIpv4(address);
            parsed.add(inet);
        }
        aRecords.put(name(name), List.copyOf(parsed));
    }

    /** Makes {@code name} unknown again: NXDOMAIN from now on. */
    public void remove(String name) {
        aRecords.remove(name(name));
    }

    public int port() {
        return udp.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}, as {@code --discovery dns:NAME@server} takes it. */
    public String server() {
        return HOST + ":" + port();
    }

    /** The {@code --discovery} value that makes a node look {@code name} up on this server. */
    public String discovery(String name) {
        return "dns:" + name + "@" + server();
    }

    /** The latest queries, oldest first, each as {@code HH:MM:SS.mmm udp|tcp NAME TYPE -> RCODE [addresses]}. */
    public List<String> queries() {
        synchronized (queryLog) {
            return List.copyOf(queryLog);
        }
    }

    /** Whether anyone has asked this server for the A records of {@code name}. */
    public boolean wasAskedForA(String name) {
        String asked = " " + name(name) + " A ";
        return queries().stream().anyMatch(line -> line.contains(asked));
    }

    /** The A records this server gives for {@code name}, asked over the wire as JGroups' DNS_PING asks (JNDI). */
    public List<String> lookup(String name) throws NamingException {
        Hashtable<String, String> environment = new Hashtable<>();
        environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        environment.put(Context.PROVIDER_URL, "dns://" + server());
        environment.put("com.sun.jndi.dns.timeout.initial", "500");
        environment.put("com.sun.jndi.dns.timeout.retries", "1");
        DirContext context = new InitialDirContext(environment);
        try {
            Attributes attributes = context.getAttributes(name, new String[] {"A"});
            Attribute records = attributes.get("A");
            List<String> addresses = new ArrayList<>();
            if (records != null) {
                NamingEnumeration<?> values = records.getAll();
                while (values.hasMore()) {
                    addresses.add(String.valueOf(values.next()));
                }
            }
            return addresses;
        } catch (NameNotFoundException e) {
            return List.of();
        } finally {
            context.close();
        }
    }

    // ---- answering -----------------------------------------------------------------------------------------------

    /** The answer to one query as it came off the wire, or null when not even its header could be read. */
    byte[] answer(byte[] query, String transport, int maxLength) {
        Message request;
        try {
            request = new Message(query);
        } catch (IOException e) {
            if (query.length < Header.LENGTH) {
                log(transport + " unreadable " + query.length + "-byte message, dropped");
                return null;
            }
            Message error = new Message(((query[0] & 0xff) << 8) | (query[1] & 0xff));
            error.getHeader().setFlag(Flags.QR);
            error.getHeader().setRcode(Rcode.FORMERR);
            log(transport + " unparseable " + query.length + "-byte message -> FORMERR");
            return error.toWire(maxLength);
        }
        Message response = new Message(request.getHeader().getID());
        Header header = response.getHeader();
        header.setFlag(Flags.QR);
        header.setOpcode(request.getHeader().getOpcode());
        if (request.getHeader().getFlag(Flags.RD)) {
            header.setFlag(Flags.RD);
        }
        Record question = request.getQuestion();
        if (request.getHeader().getOpcode() != Opcode.QUERY || question == null) {
            header.setRcode(request.getHeader().getOpcode() != Opcode.QUERY ? Rcode.NOTIMP : Rcode.FORMERR);
            log(transport + " opcode " + Opcode.string(request.getHeader().getOpcode()) + " -> "
                    + Rcode.string(header.getRcode()));
            return response.toWire(maxLength);
        }
        header.setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        List<InetAddress> addresses = aRecords.get(question.getName());
        List<String> answered = new ArrayList<>();
        if (addresses == null) {
            header.setRcode(Rcode.NXDOMAIN);
        } else if (question.getDClass() == DClass.IN
                && (question.getType() == Type.A || question.getType() == Type.ANY)) {
            for (InetAddress address : addresses) {
                response.addRecord(new ARecord(question.getName(), DClass.IN, 0, address), Section.ANSWER);
                answered.add(address.getHostAddress());
            }
        }
        log(transport + " " + question.getName() + " " + Type.string(question.getType()) + " -> "
                + Rcode.string(header.getRcode()) + " " + answered);
        return response.toWire(maxLength);
    }

    private void serveUdp() {
        byte[] buffer = new byte[Message.MAXLENGTH];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                byte[] query = Arrays.copyOfRange(packet.getData(), packet.getOffset(),
                        packet.getOffset() + packet.getLength());
                byte[] answer = answer(query, "udp", UDP_MAX);
                if (answer != null) {
                    udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log("udp failure: " + e);
                }
            }
        }
    }

    /** One TCP client at a time, each bounded by {@link #TCP_TIMEOUT_MS}: queries here are few and small. */
    private void serveTcp() {
        while (!closed) {
            try (Socket client = tcp.accept()) {
                client.setSoTimeout(TCP_TIMEOUT_MS);
                DataInputStream in = new DataInputStream(client.getInputStream());
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                while (true) {
                    int length;
                    try {
                        length = in.readUnsignedShort();
                    } catch (EOFException e) {
                        break;
                    }
                    byte[] query = new byte[length];
                    in.readFully(query);
                    byte[] answer = answer(query, "tcp", Message.MAXLENGTH);
                    if (answer == null) {
                        break;
                    }
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                if (!closed && !(e instanceof SocketException)) {
                    log("tcp failure: " + e);
                }
            }
        }
    }

    private void log(String line) {
        synchronized (queryLog) {
            if (queryLog.size() == QUERY_LOG_SIZE) {
                queryLog.removeFirst();
            }
            queryLog.addLast(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
        }
    }

    private static Name name(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }

    private static InetAddress parseIpv4(String address) {
        if (!address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        try {
            return InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + address, e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops both listeners and waits (up to 5 s) for their threads to end. */
    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            udpThread.join(5_000);
            tcpThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
