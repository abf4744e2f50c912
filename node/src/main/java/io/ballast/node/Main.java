package io.ballast.node;

import io.ballast.node.config.ConfigException;
import io.ballast.node.config.ConfigParser;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.config.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar ballast-node.jar [OPTION VALUE]...} runs one node; {@code ... demo} runs three on this machine.
 *
 * <p>Exit status: 0 after a clean stop (SIGTERM or Ctrl-C: the node leaves its cluster first), 2 for a bad option
 * or a port or name already taken, 1 for any other failure to start.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = args.length > 0 && args[0].equals("demo")
                    ? DemoLauncher.run(Arrays.copyOfRange(args, 1, args.length))
                    : run(args);
        } catch (Throwable e) {
            // whatever went wrong, never leave a half-started process behind on its non-daemon threads
            e.printStackTrace();
            status = EXIT_FAILED;
        }
        System.exit(status);
    }

    static int run(String[] args) {
        NodeConfig config;
        try {
            ConfigParser.Parsed parsed = ConfigParser.parse(args, System.getenv());
            if (parsed instanceof ConfigParser.Help) {
                System.out.print(ConfigParser.usage());
                return EXIT_OK;
            }
            config = ((ConfigParser.Run) parsed).config();
        } catch (ConfigException e) {
            System.err.println("ballast: " + e.getMessage());
            return EXIT_USAGE;
        }
        System.setProperty("ballast.node", config.name());
        Logger log = LoggerFactory.getLogger(Main.class);
        CountDownLatch stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Node node;
        try {
            node = Node.start(config);
        } catch (ConfigException | StartupException e) {
            System.err.println("ballast: " + e.getMessage());
            return EXIT_USAGE;
        } catch (Exception | Error e) {
            log.error("node {} failed to start", config.name(), e);
            return EXIT_FAILED;
        }
        Thread onSignal = new Thread(() -> {
            try {
                stopRequested.await();
            } catch (InterruptedException e) {
                return;
            }
            node.close();
        }, "ballast-signal");
        onSignal.setDaemon(true);
        onSignal.start();
        try {
            node.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.close();
        }
        return EXIT_OK;
    }
}
