package io.ballast.it.harness;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * A real headless Chromium driven through Selenium's ChromeDriver, for tests of the cluster page: the Debian
 * packages {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them). Both binaries are named
 * explicitly, so Selenium Manager never looks for, or downloads, a browser or driver. Each instance has a fresh
 * profile directory, removed again by {@link #close()}, which also ends the browser and its driver.
 *
 * <pre>{@code
 * Chromium.assumeInstalled();
 * try (Chromium chromium = Chromium.start(1280, 1000)) {
 *     chromium.driver().get(node.url() + "/_ballast/");
 * }
 * }</pre>
 */
public final class Chromium implements AutoCloseable {

    /** Where Debian installs them; the system properties {@code ballast.chromium}, {@code ballast.chromedriver} override. */
    public static final String DEFAULT_BROWSER = "/usr/bin/chromium";
    public static final String DEFAULT_DRIVER = "/usr/bin/chromedriver";

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static Path browser() {
        return Path.of(System.getProperty("ballast.chromium", DEFAULT_BROWSER));
    }

    public static Path chromedriver() {
        return Path.of(System.getProperty("ballast.chromedriver", DEFAULT_DRIVER));
    }

    /**
     * Returns when both binaries are here. Otherwise the calling test is skipped with one line naming the packages,
     * except under {@code CI=true}, where it fails: CI installs them, so their absence there is a broken setup.
     */
    public static void assumeInstalled() {
        for (Path binary : List.of(browser(), chromedriver())) {
            if (!Files.isExecutable(binary)) {
                String line = binary + " not found: install the Debian packages chromium and chromium-driver";
                if ("true".equals(System.getenv("CI"))) {
                    Assertions.fail(line + " (CI=true, so this test may not be skipped)");
                }
                System.err.println("[ballast-it] skipped: " + line);
                Assumptions.abort(line);
            }
        }
    }

    /** Starts a headless Chromium with a window of {@code width} × {@code height} CSS pixels. */
    public static Chromium start(int width, int height) {
        Path profile;
        try {
            profile = Files.createTempDirectory("ballast-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a Chromium profile directory", e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser().toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver().toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        try {
            return new Chromium(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            delete(profile);
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** What the page logged to the console (and the browser about it, e.g. a failed load) since the last call. */
    public List<LogEntry> consoleSinceLastCall() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    /** Saves what the window shows now as a PNG at {@code file}. */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** Ends the browser and its driver, and removes the profile. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a file Chromium still held at exit: the temp directory is the system's to clear
        }
    }
}
