package io.ballast.node.config;

import io.ballast.node.limit.RateLimit;
import io.ballast.node.routing.Balance;
import io.ballast.node.routing.StrategyName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command lines and environments that start a node. */
class ConfigParserTest {

    static NodeConfig run(Map<String, String> env, String... args) {
        return assertInstanceOf(ConfigParser.Run.class, ConfigParser.parse(args, env)).config();
    }

    static NodeConfig run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        NodeConfig config = run("--bind", "127.0.0.1");
        assertEquals(8080, config.httpPort());
        assertEquals("http://127.0.0.1:8080", config.url());
        assertEquals("ballast", config.cluster());
        assertEquals(new Discovery.Multicast(), config.discovery());
        assertEquals(7800, config.clusterPort());
        assertEquals(64, config.capacity());
        assertEquals(Balance.ADAPTIVE, config.balance());
        assertEquals(StrategyName.LEAST_LOADED, config.strategy());
        assertEquals(1, config.weight());
        assertEquals(Optional.empty(), config.secret());
        assertEquals(Optional.empty(), config.upstream());
        assertEquals(1.0, config.workFactor());
        assertEquals(SessionMode.DISTRIBUTED, config.sessions());
        assertEquals(2, config.sessionOwners());
        assertEquals(Duration.ofMinutes(30), config.sessionTimeout());
        assertEquals("JSESSIONID", config.sessionCookie());
        assertEquals(Optional.empty(), config.dataDir());
        assertEquals(Duration.ofSeconds(60), config.requestTimeout());
        assertEquals(Duration.ofSeconds(10), config.headerTimeout());
        assertEquals(Duration.ofSeconds(60), config.idleTimeout());
        assertTrue(config.name().matches("[A-Za-z0-9][A-Za-z0-9._-]*-8080"), config.name());
    }

    @Test
    void flagsTakeTheirValueAfterASpaceOrAnEqualsSign() {
        NodeConfig spaced = run("--bind", "127.0.0.1", "--name", "n1", "--http-port", "9001", "--cluster", "c-1",
                "--cluster-port", "7900", "--capacity", "8", "--balance", "always", "--strategy", "round-robin",
                "--weight", "3", "--discovery", "static:127.0.0.2");
        NodeConfig joined = run("--bind=127.0.0.1", "--name=n1", "--http-port=9001", "--cluster=c-1",
                "--cluster-port=7900", "--capacity=8", "--balance=always", "--strategy=round-robin", "--weight=3",
                "--discovery=static:127.0.0.2");
        assertEquals(spaced, joined);
        assertEquals("n1", joined.name());
        assertEquals("http://127.0.0.1:9001", joined.url());
        assertEquals("c-1", joined.cluster());
        assertEquals(7900, joined.clusterPort());
        assertEquals(8, joined.capacity());
        assertEquals(Balance.ALWAYS, joined.balance());
        assertEquals(StrategyName.ROUND_ROBIN, joined.strategy());
        assertEquals(3, joined.weight());
    }

    @Test
    void environmentSetsOptionsAndAFlagWins() {
        Map<String, String> env = Map.of("BALLAST_HTTP_PORT", "9001", "BALLAST_CAPACITY", "8",
                "BALLAST_STRATEGY", "random", "BALLAST_BIND", "127.0.0.1", "BALLAST_NAME", "from-env");
        NodeConfig fromEnv = run(env);
        assertEquals(9001, fromEnv.httpPort());
        assertEquals(8, fromEnv.capacity());
        assertEquals(StrategyName.RANDOM, fromEnv.strategy());
        assertEquals("from-env", fromEnv.name());
        NodeConfig flagged = run(env, "--http-port", "9002", "--name=from-flag");
        assertEquals(9002, flagged.httpPort());
        assertEquals("from-flag", flagged.name());
        assertEquals(8, flagged.capacity());
    }

    @Test
    void emptyEnvironmentVariableLeavesTheDefault() {
        assertEquals(8080, run(Map.of("BALLAST_HTTP_PORT", ""), "--bind", "127.0.0.1").httpPort());
    }

    @Test
    void helpAsksForUsageWhereverItStands() {
        assertInstanceOf(ConfigParser.Help.class, ConfigParser.parse(new String[] {"--help"}, Map.of()));
        assertInstanceOf(ConfigParser.Help.class, ConfigParser.parse(new String[] {"-h"}, Map.of()));
        assertInstanceOf(ConfigParser.Help.class,
                ConfigParser.parse(new String[] {"--capacity", "8", "--help"}, Map.of()));
    }

    @Test
    void usageListsEveryFlagWithItsEnvironmentVariable() {
        String usage = ConfigParser.usage();
        for (Option option : Option.values()) {
            assertTrue(usage.contains(option.flag() + " " + option.placeholder()), option.flag());
            assertTrue(usage.contains(option.environmentVariable()), option.environmentVariable());
        }
    }

    @Test
    void secretIsTakenLiterallyOrFromAFileWithoutSurroundingSpace(@TempDir Path dir) throws Exception {
        assertEquals(Optional.of("sixteen-chars-ok"),
                run("--bind", "127.0.0.1", "--secret", "sixteen-chars-ok").secret());
        Path file = Files.writeString(dir.resolve("secret"), "  a-secret-read-from-a-file\n");
        assertEquals(Optional.of("a-secret-read-from-a-file"),
                run("--bind", "127.0.0.1", "--secret", "file:" + file).secret());
    }

    @Test
    void upstreamIsNormalisedToSchemeHostAndPort() {
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")),
                run("--bind", "127.0.0.1", "--upstream", "http://127.0.0.1:9000/").upstream());
        assertEquals(Optional.of(URI.create("http://localhost:80")),
                run("--bind", "127.0.0.1", "--upstream", "http://localhost").upstream());
    }

    @Test
    void nameMayBeSixtyFourCharacters() {
        String longest = "n" + "x".repeat(63);
        assertEquals(longest, run("--bind", "127.0.0.1", "--name", longest).name());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        NodeConfig config = run("--bind", "127.0.0.1", "--secret", "do-not-print-this-one");
        assertTrue(config.toString().contains("secret=(set)"), config.toString());
        assertFalse(config.toString().contains("do-not-print-this-one"), config.toString());
    }

    @Test
    void rateLimitIsOffUnlessAsked() {
        assertTrue(run("--bind", "127.0.0.1").rateLimit().isEmpty());
        RateLimit limit = run("--bind", "127.0.0.1", "--rate-limit", "600/m,burst=20").rateLimit().orElseThrow();
        assertEquals(10.0, limit.perSecond(), 1e-9);
        assertEquals(20, limit.burst());
    }

    @Test
    void maxBodyReadsBinaryUnits() {
        assertEquals(10L << 20, run("--bind", "127.0.0.1").maxBody(), "default");
        assertEquals(512L << 10, run("--bind", "127.0.0.1", "--max-body", "512k").maxBody());
        assertEquals(64L << 20, run("--bind", "127.0.0.1", "--max-body", "64M").maxBody());
        assertEquals(2L << 30, run("--bind", "127.0.0.1", "--max-body", "2g").maxBody());
        assertEquals(4096, run("--bind", "127.0.0.1", "--max-body", "4096").maxBody());
    }

    @Test
    void sessionOptionsReadTheirValues() {
        NodeConfig config = run("--bind", "127.0.0.1", "--sessions", "distributed", "--session-owners", "3",
                "--session-timeout", "8h", "--session-cookie", "SID", "--data-dir", "/var/lib/ballast/../ballast");
        assertEquals(SessionMode.DISTRIBUTED, config.sessions());
        assertEquals(3, config.sessionOwners());
        assertEquals(Duration.ofHours(8), config.sessionTimeout());
        assertEquals("SID", config.sessionCookie());
        assertEquals(Optional.of(Path.of("/var/lib/ballast")), config.dataDir());
        assertEquals(SessionMode.REPLICATED, run("--bind", "127.0.0.1", "--sessions", "replicated").sessions());
        assertEquals(Duration.ofSeconds(90), run("--bind", "127.0.0.1", "--session-timeout", "90s").sessionTimeout());
        assertEquals(Duration.ofDays(30), run("--bind", "127.0.0.1", "--session-timeout", "30d").sessionTimeout());
    }

    @Test
    void sessionOptionsComeFromTheEnvironmentToo() {
        NodeConfig config = run(Map.of("BALLAST_SESSIONS", "replicated", "BALLAST_SESSION_TIMEOUT", "3s",
                "BALLAST_SESSION_COOKIE", "S", "BALLAST_DATA_DIR", "/tmp/x"), "--bind", "127.0.0.1");
        assertEquals(SessionMode.REPLICATED, config.sessions());
        assertEquals(Duration.ofSeconds(3), config.sessionTimeout());
        assertEquals("S", config.sessionCookie());
        assertEquals(Optional.of(Path.of("/tmp/x")), config.dataDir());
    }

    @Test
    void builderSetsSessionOptions() {
        NodeConfig config = NodeConfig.builder().bind("127.0.0.1").sessions("replicated")
                .sessionTimeout(Duration.ofSeconds(45)).sessionCookie("S").dataDir(Path.of("/tmp/d")).build();
        assertEquals(SessionMode.REPLICATED, config.sessions());
        assertEquals(Duration.ofSeconds(45), config.sessionTimeout());
        assertEquals(Optional.of(Path.of("/tmp/d")), config.dataDir());
    }

    @Test
    void timeoutsReadMillisecondsSecondsAndMinutes() {
        NodeConfig config = run("--bind", "127.0.0.1", "--request-timeout", "1500ms", "--header-timeout", "2s",
                "--idle-timeout", "5m");
        assertEquals(Duration.ofMillis(1500), config.requestTimeout());
        assertEquals(Duration.ofSeconds(2), config.headerTimeout());
        assertEquals(Duration.ofMinutes(5), config.idleTimeout());
        assertEquals(Duration.ofHours(1), run("--bind", "127.0.0.1", "--idle-timeout", "60m").idleTimeout());
        assertEquals(Duration.ofMillis(100), run("--bind", "127.0.0.1", "--header-timeout", "100ms").headerTimeout());
    }

    @Test
    void requestTimeoutOfZeroTurnsItOff() {
        assertEquals(Duration.ZERO, run("--bind", "127.0.0.1", "--request-timeout", "0").requestTimeout());
        assertEquals(Duration.ZERO, run("--bind", "127.0.0.1", "--request-timeout", "0s").requestTimeout());
        assertEquals(Duration.ZERO, run(Map.of("BALLAST_REQUEST_TIMEOUT", "0"), "--bind", "127.0.0.1")
                .requestTimeout());
    }

    @Test
    void builderSetsTimeouts() {
        NodeConfig config = NodeConfig.builder().bind("127.0.0.1").requestTimeout(Duration.ZERO)
                .headerTimeout(Duration.ofMillis(2500)).idleTimeout(Duration.ofSeconds(30)).build();
        assertEquals(Duration.ZERO, config.requestTimeout());
        assertEquals(Duration.ofMillis(2500), config.headerTimeout());
        assertEquals(Duration.ofSeconds(30), config.idleTimeout());
    }
}
