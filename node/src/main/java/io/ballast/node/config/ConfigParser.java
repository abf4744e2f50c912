package io.ballast.node.config;

import io.ballast.node.limit.RateLimit;
import io.ballast.node.routing.Balance;
import io.ballast.node.routing.StrategyName;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the command line and the {@code BALLAST_*} environment into a {@link NodeConfig}, and every bad value into
 * a {@link ConfigException} whose message names the option, the value and what was expected.
 */
public final class ConfigParser {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private ConfigParser() {
    }

    /** What the command line asks for: a node to run, or the usage text. */
    public sealed interface Parsed {
    }

    public record Run(NodeConfig config) implements Parsed {
    }

    public record Help() implements Parsed {
    }

    /**
     * @param args        the command line, without the program name
     * @param environment the process environment, read for {@code BALLAST_*} variables
     */
    public static Parsed parse(String[] args, Map<String, String> environment) {
        EnumMap<Option, String> values = new EnumMap<>(Option.class);
        Set<Option> fromEnvironment = EnumSet.noneOf(Option.class);
        for (Option option : Option.values()) {
            String value = environment.get(option.environmentVariable());
            if (value != null && !value.isEmpty()) {
                values.put(option, value);
                fromEnvironment.add(option);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Help();
            }
            String flag = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            String shown = flag;
            Option option = Option.byFlag(flag).orElseThrow(() -> new ConfigException(
                    "unknown option '" + shown + "' (expected one of: " + flagList() + "; see --help)"));
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException(option.flag() + ": missing value (expected: " + option.placeholder()
                            + ")");
                }
                value = args[++i];
            }
            values.put(option, value);
            fromEnvironment.remove(option);
        }
        try {
            return new Run(validate(values));
        } catch (ConfigException e) {
            throw namingTheEnvironment(e, fromEnvironment);
        }
    }

    /** A bad value that came from the environment is reported under its variable's name too. */
    private static ConfigException namingTheEnvironment(ConfigException e, Set<Option> fromEnvironment) {
        for (Option option : fromEnvironment) {
            String prefix = option.flag() + ":";
            if (e.getMessage().startsWith(prefix)) {
                return new ConfigException(option.flag() + " (from " + option.environmentVariable() + "):"
                        + e.getMessage().substring(prefix.length()));
            }
        }
        return e;
    }

    /** Every check in one place; the result is sealed. */
    static NodeConfig validate(Map<Option, String> values) {
        int httpPort = port(Option.HTTP_PORT, values.getOrDefault(Option.HTTP_PORT, "8080"));
        int clusterPort = port(Option.CLUSTER_PORT, values.getOrDefault(Option.CLUSTER_PORT, "7800"));
        if (clusterPort > 65535 - 103) {
            throw new ConfigException(Option.CLUSTER_PORT.flag(), Integer.toString(clusterPort),
                    "a port from 1 to 65432, leaving room for failure detection at port+100");
        }
        InetAddress bind = values.containsKey(Option.BIND) ? bind(values.get(Option.BIND)) : defaultBind();
        String name = values.containsKey(Option.NAME)
                ? name(Option.NAME, values.get(Option.NAME))
                : defaultName(httpPort);
        String cluster = name(Option.CLUSTER, values.getOrDefault(Option.CLUSTER, "ballast"));
        Discovery discovery = Discovery.parse(Option.DISCOVERY.flag(),
                values.getOrDefault(Option.DISCOVERY, "multicast"));
        int capacity = intIn(Option.CAPACITY, values.getOrDefault(Option.CAPACITY, "64"), 1, 100_000);
        String balanceText = values.getOrDefault(Option.BALANCE, "adaptive");
        Balance balance = Balance.parse(balanceText).orElseThrow(() -> new ConfigException(Option.BALANCE.flag(),
                balanceText, "adaptive, always or off"));
        String strategyText = values.getOrDefault(Option.STRATEGY, "least-loaded");
        StrategyName strategy = StrategyName.parse(strategyText).orElseThrow(() -> new ConfigException(
                Option.STRATEGY.flag(), strategyText,
                "least-loaded, round-robin, random, weighted-round-robin or least-connections"));
        int weight = intIn(Option.WEIGHT, values.getOrDefault(Option.WEIGHT, "1"), 1, 1000);
        Optional<String> secret = Optional.ofNullable(values.get(Option.SECRET)).map(ConfigParser::secret);
        Optional<URI> upstream = Optional.ofNullable(values.get(Option.UPSTREAM)).map(ConfigParser::upstream);
        double workFactor = decimalIn(Option.WORK_FACTOR, values.getOrDefault(Option.WORK_FACTOR, "1"), 0.1, 100);
        long maxBody = size(Option.MAX_BODY, values.getOrDefault(Option.MAX_BODY, "10m"));
        Optional<RateLimit> rateLimit = Optional.ofNullable(values.get(Option.RATE_LIMIT))
                .map(ConfigParser::rateLimit);
        Duration drainTimeout = duration(Option.DRAIN_TIMEOUT, values.getOrDefault(Option.DRAIN_TIMEOUT, "30s"));
        String sessionsText = values.getOrDefault(Option.SESSIONS, "distributed");
        SessionMode sessions = SessionMode.parse(sessionsText).orElseThrow(() -> new ConfigException(
                Option.SESSIONS.flag(), sessionsText, "distributed or replicated"));
        int sessionOwners = intIn(Option.SESSION_OWNERS, values.getOrDefault(Option.SESSION_OWNERS, "2"), 1, 16);
        if (sessions == SessionMode.REPLICATED && values.containsKey(Option.SESSION_OWNERS)) {
            throw new ConfigException(Option.SESSION_OWNERS.flag(), values.get(Option.SESSION_OWNERS),
                    "no value with --sessions replicated, where every node holds every session");
        }
        Duration sessionTimeout = sessionTimeout(values.getOrDefault(Option.SESSION_TIMEOUT, "30m"));
        String sessionCookie = cookieName(values.getOrDefault(Option.SESSION_COOKIE, "JSESSIONID"));
        Optional<Path> dataDir = Optional.ofNullable(values.get(Option.DATA_DIR)).map(ConfigParser::dataDir);
        Duration requestTimeout = timeout(Option.REQUEST_TIMEOUT, values.getOrDefault(Option.REQUEST_TIMEOUT, "60s"),
                true);
        Duration headerTimeout = timeout(Option.HEADER_TIMEOUT, values.getOrDefault(Option.HEADER_TIMEOUT, "10s"),
                false);
        Duration idleTimeout = timeout(Option.IDLE_TIMEOUT, values.getOrDefault(Option.IDLE_TIMEOUT, "60s"), false);
        Optional<NodeConfig.TlsFiles> tls = tls(values.get(Option.TLS_CERT), values.get(Option.TLS_KEY));
        OptionalInt httpRedirectPort = OptionalInt.empty();
        if (values.containsKey(Option.HTTP_REDIRECT_PORT)) {
            String text = values.get(Option.HTTP_REDIRECT_PORT);
            if (tls.isEmpty()) {
                throw new ConfigException(Option.HTTP_REDIRECT_PORT.flag(), text,
                        "no value without --tls-cert and --tls-key: it redirects plain HTTP to the HTTPS port");
            }
            int redirectPort = port(Option.HTTP_REDIRECT_PORT, text);
            if (redirectPort == httpPort) {
                throw new ConfigException(Option.HTTP_REDIRECT_PORT.flag(), text, "a port other than --http-port");
            }
            httpRedirectPort = OptionalInt.of(redirectPort);
        }
        return new NodeConfig(name, bind, httpPort, cluster, discovery, clusterPort, capacity, balance, strategy,
                weight, secret, upstream, maxBody, drainTimeout, workFactor, sessions, sessionOwners, sessionTimeout,
                sessionCookie, dataDir, rateLimit, requestTimeout, headerTimeout, idleTimeout, tls, httpRedirectPort);
    }

    /**
     * Both TLS files or neither; when both, read now, so that an unreadable or malformed file, or a key that is not
     * the certificate's, stops the node before it starts.
     */
    private static Optional<NodeConfig.TlsFiles> tls(String certText, String keyText) {
        if (certText == null && keyText == null) {
            return Optional.empty();
        }
        if (keyText == null) {
            throw new ConfigException(Option.TLS_CERT.flag(), certText,
                    "together with --tls-key FILE, the certificate's private key");
        }
        if (certText == null) {
            throw new ConfigException(Option.TLS_KEY.flag(), keyText,
                    "together with --tls-cert FILE, the certificate chain it belongs to");
        }
        Path cert = pemPath(Option.TLS_CERT, certText);
        Path key = pemPath(Option.TLS_KEY, keyText);
        try {
            TlsPair.load(cert, key);
        } catch (TlsPair.Unusable e) {
            boolean keyFile = e.keyFile();
            throw new ConfigException(keyFile ? Option.TLS_KEY.flag() : Option.TLS_CERT.flag(),
                    keyFile ? keyText : certText, (keyFile ? "a PEM private key" : "a PEM certificate chain")
                            + " of this node, but: " + e.problem());
        }
        return Optional.of(new NodeConfig.TlsFiles(cert, key));
    }

    private static Path pemPath(Option option, String value) {
        try {
            return Path.of(value).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new ConfigException(option.flag(), value, "a file name");
        }
    }

    private static RateLimit rateLimit(String value) {
        return RateLimit.parse(value).orElseThrow(() -> new ConfigException(Option.RATE_LIMIT.flag(), value,
                "a rate like 50/s, 600/m or 10000/h (above 0), optionally with a burst like 50/s,burst=100"));
    }

    private static final Pattern SESSION_TIMEOUT = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

    /** A session timeout in whole seconds, minutes, hours or days: {@code 90s}, {@code 30m}, {@code 8h}, {@code 7d}. */
    private static Duration sessionTimeout(String value) {
        Matcher matcher = SESSION_TIMEOUT.matcher(value.trim());
        if (matcher.matches()) {
            long n = Long.parseLong(matcher.group(1));
            Duration timeout = switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (timeout.compareTo(Duration.ofSeconds(1)) >= 0 && timeout.compareTo(Duration.ofDays(30)) <= 0) {
                return timeout;
            }
        }
        throw new ConfigException(Option.SESSION_TIMEOUT.flag(), value,
                "a duration from 1s to 30d in whole s, m, h or d, like 30m, 8h or 90s");
    }

    /** A cookie name: an RFC 6265 token, which Undertow writes and browsers send back unchanged. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

    private static String cookieName(String value) {
        if (!COOKIE_NAME.matcher(value).matches()) {
            throw new ConfigException(Option.SESSION_COOKIE.flag(), value,
                    "1 to 64 letters, digits or !#$%&'*+.^_`|~-, like JSESSIONID");
        }
        return value;
    }

    /**
     * A data directory, as an absolute path. Whether it can be used (read, written, not held by another node) is
     * checked when the node starts, by {@link io.ballast.node.session.DataDir}.
     */
    private static Path dataDir(String value) {
        if (value.isBlank()) {
            throw new ConfigException(Option.DATA_DIR.flag(), value, "a directory path");
        }
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(Option.DATA_DIR.flag(), value, "a directory path (" + e.getReason() + ")");
        }
    }

    /** A literal secret, or {@code file:PATH} to read it from a file (its surrounding white space dropped). */
    private static String secret(String value) {
        String secret = value;
        if (value.startsWith("file:")) {
            Path path = Path.of(value.substring("file:".length()));
            try {
                secret = Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(Option.SECRET.flag(), value, "a readable file holding the secret, but "
                        + path + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (secret.length() < 16) {
            // never echo a secret, even a bad one
            throw new ConfigException(Option.SECRET.flag() + ": a secret of " + secret.length()
                    + " characters (expected: at least 16)");
        }
        return secret;
    }

    private static URI upstream(String value) {
        String expected = "an http URL of a local application, like http://127.0.0.1:9000";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException(Option.UPSTREAM.flag(), value, expected);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() != null
                || uri.getQuery() != null || uri.getFragment() != null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
            throw new ConfigException(Option.UPSTREAM.flag(), value, expected + " (no path or query)");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        return URI.create("http://" + uri.getHost() + ":" + port);
    }

    /** The usage text printed by {@code --help}. */
    public static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("Usage: java -jar ballast-node.jar [OPTION VALUE]...   run one node\n")
                .append("       java -jar ballast-node.jar demo             run a three-node cluster on this machine\n")
                .append("\nEach option can also be set as an environment variable BALLAST_<NAME>; a flag wins.\n\n");
        for (Option option : Option.values()) {
            String left = "  " + option.flag() + " " + option.placeholder();
            text.append(String.format("%-28s %s%n%-28s (default: %s; env %s)%n", left, option.description(), "",
                    option.defaultText(), option.environmentVariable()));
        }
        return text.toString();
    }

    private static String flagList() {
        StringBuilder list = new StringBuilder();
        for (Option option : Option.values()) {
            list.append(list.isEmpty() ? "" : ", ").append(option.flag());
        }
        return list.toString();
    }

    private static int port(Option option, String value) {
        return intIn(option, value, 1, 65535);
    }

    private static int intIn(Option option, String value, int min, int max) {
        String expected = "a whole number from " + min + " to " + max;
        if (option == Option.HTTP_PORT || option == Option.CLUSTER_PORT || option == Option.HTTP_REDIRECT_PORT) {
            expected = "a port from " + min + " to " + max;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new ConfigException(option.flag(), value, expected);
    }

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})([kKmMgG]?)");

    /** A size in bytes: {@code 1048576}, {@code 512k}, {@code 10m}, {@code 1g} (binary units), at least 1 KiB. */
    private static long size(Option option, String value) {
        Matcher matcher = SIZE.matcher(value.trim());
        if (matcher.matches()) {
            long n = Long.parseLong(matcher.group(1));
            long bytes = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> n << 10;
                case "m" -> n << 20;
                case "g" -> n << 30;
                default -> n;
            };
            if (bytes >= 1024 && bytes <= (64L << 30)) {
                return bytes;
            }
        }
        throw new ConfigException(option.flag(), value, "a size from 1k to 64g, in bytes or with k, m or g");
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    /** A duration: {@code 500ms}, {@code 30s}, {@code 2m}; from 0 to one hour. */
    private static Duration duration(Option option, String value) {
        Duration duration = parseDuration(value);
        if (duration != null && duration.compareTo(Duration.ofHours(1)) <= 0) {
            return duration;
        }
        throw new ConfigException(option.flag(), value, "a duration up to 1 hour, like 500ms, 30s or 2m");
    }

    private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

    /** A timeout from 100 ms to one hour, like {@code 10s}; also {@code 0} (off) when {@code zeroTurnsOff}. */
    private static Duration timeout(Option option, String value, boolean zeroTurnsOff) {
        Duration timeout = value.trim().equals("0") ? Duration.ZERO : parseDuration(value);
        if (timeout != null && ((zeroTurnsOff && timeout.isZero()) || (timeout.compareTo(MIN_TIMEOUT) >= 0
                && timeout.compareTo(Duration.ofHours(1)) <= 0))) {
            return timeout;
        }
        throw new ConfigException(option.flag(), value, (zeroTurnsOff ? "0 (off), or " : "")
                + "a duration from 100ms to 1 hour, like 500ms, 10s or 2m");
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m} as a duration, or null when the text is none of these. */
    private static Duration parseDuration(String value) {
        Matcher matcher = DURATION.matcher(value.trim());
        if (!matcher.matches()) {
            return null;
        }
        long n = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private static double decimalIn(Option option, String value, double min, double max) {
        try {
            double x = Double.parseDouble(value.trim());
            if (x >= min && x <= max) {
                return x;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new ConfigException(option.flag(), value, "a number from " + min + " to " + max);
    }

    private static String name(Option option, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new ConfigException(option.flag(), value,
                    "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    private static InetAddress bind(String value) {
        InetAddress address;
        try {
            address = InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new ConfigException(Option.BIND.flag(), value, "an IP address or host name of this machine");
        }
        try {
            if (address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(address) != null) {
                if (address.isAnyLocalAddress()) {
                    throw new ConfigException(Option.BIND.flag(), value,
                            "one address of this machine that peers can reach, not the wildcard");
                }
                return address;
            }
        } catch (SocketException e) {
            // falls through to the message below
        }
        throw new ConfigException(Option.BIND.flag(), value, "an address of one of this machine's interfaces");
    }

    /** The first site-local IPv4 address of an interface that is up, else the loopback address. */
    private static InetAddress defaultBind() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && address.isSiteLocalAddress()) {
                        return address;
                    }
                }
            }
        } catch (IOException e) {
            // no interfaces to list: use loopback
        }
        return InetAddress.getLoopbackAddress();
    }

    private static String defaultName(int httpPort) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        int dot = host.indexOf('.');
        String shortHost = (dot > 0 ? host.substring(0, dot) : host).replaceAll("[^A-Za-z0-9._-]", "-");
        return (shortHost.isEmpty() ? "node" : shortHost) + "-" + httpPort;
    }
}
