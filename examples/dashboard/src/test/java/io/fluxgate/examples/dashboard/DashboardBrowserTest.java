package io.fluxgate.examples.dashboard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page in a real browser: Debian's headless Chromium driven through chromedriver with Selenium. Loads {@code /},
 * posts frames, and waits for the chart and the table to show the closed window.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code apt-get install chromium
 * chromium-driver}; {@code .ci/run} installs them). Without them the test is skipped, or fails when {@code CI} is set.
 */
class DashboardBrowserTest extends SharedDashboard {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);

    private static Path profile;
    private static WebDriver browser;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String message = "the browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install -y chromium chromium-driver (.ci/run installs them)";
            if (System.getenv("CI") != null) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        profile = Files.createTempDirectory("fluxgate-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // the network is closed: without the background-networking flags Chromium keeps trying to reach Google
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        // an explicit driver: Selenium Manager (which would download one) is not run
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void theChartShowsAWindowOnceItCloses() {
        browser.get("http://localhost:" + port + "/");
        assertThat(browser.getTitle()).contains("unique users");
        waitFor("the stream to connect", () -> text("#connection").equals("live"));
        waitFor("the breaker state", () -> text("#breaker-state").equals("CLOSED"));

        long start = freshWindowStart();
        String selector = "#windows tr[data-start='" + start + "'] td.users";
        assertThat(browser.findElements(By.cssSelector(selector))).isEmpty();

        post(frames(start + 58, "ann", "bob", "cyd") + frames(start + 59, "ann", "dan")).expectStatus().isOk();

        waitFor("the window's row", () -> !browser.findElements(By.cssSelector(selector)).isEmpty());
        assertThat(text(selector)).isEqualTo("4");
        List<WebElement> bars = browser.findElements(By.cssSelector("#chart rect.bar[data-start='" + start + "']"));
        assertThat(bars).hasSize(1);
        assertThat(bars.get(0).getAttribute("data-users")).isEqualTo("4");
        assertThat(Double.parseDouble(bars.get(0).getAttribute("height"))).isGreaterThan(1);
        assertThat(browser.findElement(By.id("empty")).isDisplayed()).isFalse();
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private static void waitFor(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + PAGE_WAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("page did not show " + what + " within " + PAGE_WAIT + "; page:\n" + browser.getPageSource());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
