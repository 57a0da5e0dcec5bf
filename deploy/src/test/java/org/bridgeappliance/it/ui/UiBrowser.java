package org.bridgeappliance.it.ui;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.bridgeappliance.it.harness.Sandbox;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Debian Chromium driven by Debian's chromedriver (paths from .sandbox/env, set explicitly: Selenium
 * Manager never downloads a driver), shared by the tests of one class. Waits are conditions with timeouts
 * ({@link WebDriverWait}), never sleeps. Collects the browser's console log so tests can assert that no CSP
 * violation or script error happened, runs axe-core, switches light/dark ({@code prefers-color-scheme} emulated
 * through the DevTools protocol) and writes screenshots into {@code docs/screenshots/}.
 */
final class UiBrowser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    final ChromeDriver driver;
    final String base;
    private final Path screenshots;
    private final List<String> consoleProblems = new ArrayList<>();

    UiBrowser(Sandbox sandbox, String base) {
        this.base = base;
        this.screenshots = sandbox.repoRoot().resolve("docs/screenshots");
        String chromium = sandbox.env().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium");
        String chromedriver = sandbox.env().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,900", "--lang=en-US", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    /** Opens {@code /admin/} + hash and waits for the view's h1 to have {@code heading}. */
    void open(String hash, String heading) {
        String url = base + "/admin/" + hash;
        if (url.equals(driver.getCurrentUrl())) {
            driver.navigate().refresh(); // the same URL again would not navigate: the old form would stay
        } else {
            driver.get(url);
        }
        awaitHeading(heading);
    }

    void awaitHeading(String heading) {
        await("h1 '" + heading + "'", d -> {
            List<WebElement> h1 = d.findElements(By.cssSelector("main h1"));
            return h1.size() == 1 && h1.get(0).getText().equals(heading);
        });
    }

    <T> T await(String what, Function<WebDriver, T> condition) {
        // A view replaces its elements when it renders: an element found a moment ago may be gone (stale).
        return new WebDriverWait(driver, WAIT).withMessage(what).ignoring(StaleElementReferenceException.class)
            .until(condition::apply);
    }

    WebElement visible(By by) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Types into the labelled control (found by its label's text). */
    WebElement field(String label) {
        return driver.findElement(By.xpath("//label[normalize-space(.)='" + label + "']/following::*[self::input or"
            + " self::select][1]"));
    }

    void type(String label, String text) {
        WebElement f = field(label);
        f.clear();
        f.sendKeys(text);
    }

    void click(String buttonText) {
        driver.findElement(By.xpath("//button[normalize-space(.)='" + buttonText + "']")).click();
    }

    String status() {
        return driver.findElement(By.id("status")).getText();
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Runs an async script (the last argument is the callback) and returns what it passed to the callback. */
    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    /** Light or dark: what prefers-color-scheme reports to the page from now on. */
    void colorScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** Pretends a narrow screen (CSS px), or back to the window's own size with 0. */
    void viewportWidth(int width) {
        if (width == 0) {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        } else {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 800,
                "deviceScaleFactor", 1, "mobile", true));
        }
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(screenshots);
            Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** axe-core's serious and critical violations on the current page, as readable lines (empty when none). */
    List<String> seriousAccessibilityViolations() {
        Results results = new AxeBuilder().analyze(driver);
        List<String> out = new ArrayList<>();
        for (Rule rule : results.getViolations()) {
            if ("serious".equals(rule.getImpact()) || "critical".equals(rule.getImpact())) {
                out.add(rule.getId() + " (" + rule.getImpact() + "): " + rule.getHelp() + " at "
                    + rule.getNodes().stream().map(n -> String.valueOf(n.getTarget())).collect(Collectors.joining(", ")));
            }
        }
        return out;
    }

    /**
     * SEVERE console entries since the last call: CSP violations, Trusted Types violations, uncaught script errors.
     * Chromium also logs every 4xx answer of fetch() ("Failed to load resource: ... status of 401"); those are the
     * API's expected answers (no session yet, a refused edit), shown by the UI, so they are left out.
     */
    List<String> drainConsoleProblems() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()
                && !e.getMessage().matches("(?s).*Failed to load resource: the server responded with a status of 4\\d\\d.*")) {
                consoleProblems.add(e.getLevel() + " " + e.getMessage());
            }
        }
        List<String> out = List.copyOf(consoleProblems);
        consoleProblems.clear();
        return out;
    }

    /** True if a JavaScript dialog (alert/confirm/prompt) is open. */
    boolean dialogOpen() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /** Every resource the page loaded, as URLs (to check that all of them are on the appliance's origin). */
    @SuppressWarnings("unchecked")
    List<String> loadedResources() {
        return (List<String>) script("return performance.getEntriesByType('resource').map(e => e.name)"
            + ".concat([location.href]);");
    }

    @Override
    public void close() {
        driver.quit();
    }
}
