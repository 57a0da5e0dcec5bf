package org.bridgeappliance.it.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bridgeappliance.it.harness.FreePorts;
import org.bridgeappliance.it.harness.ManagedProcess;
import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * First run in a real browser: an appliance of its own (the sandbox's jar, adapters off, an empty data directory,
 * a free port) asks for the one-time setup token; a wrong token is refused at its field; the right one creates the
 * first admin; then login (a wrong password first), the dashboard, and the wait shown after repeated failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstRunIT {
    private static final String ADMIN = "firstadmin";
    private static final String PASSWORD = "a-long-first-password";

    private ManagedProcess appliance;
    private Path dataDir;
    private String base;
    private UiBrowser browser;

    @BeforeAll
    void start() throws Exception {
        Sandbox sandbox = Sandbox.get();
        Path jar;
        try (Stream<Path> jars = Files.list(sandbox.repoRoot().resolve("deploy/target"))) {
            jar = jars.filter(p -> p.getFileName().toString().endsWith("-all.jar")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no deploy/target/*-all.jar: mvn install -DskipTests"));
        }
        Path work = sandbox.newWorkDir("firstrun");
        dataDir = work.resolve("data");
        int port = FreePorts.udpAndTcp();
        base = "http://127.0.0.1:" + port;
        appliance = ManagedProcess.start(sandbox, "appliance", work, List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-Dmicronaut.server.port=" + port, "-Dmicronaut.server.host=127.0.0.1",
            "-Dbridge.data-dir=" + dataDir, "-Dbridge.xmpp.enabled=false", "-Dbridge.matrix.enabled=false",
            "-Dbridge.admin.password-iterations=10000", "-Dbridge.admin.insecure-password-iterations-for-tests=true",
            "-Dbridge.admin.login-max-failures=3",
            "-jar", jar.toString()));
        HttpClient http = HttpClient.newHttpClient();
        new FluentWait<>(http).withTimeout(Duration.ofSeconds(180)).pollingEvery(Duration.ofMillis(200))
            .withMessage("the first-run appliance answering /health (output: " + appliance.outputFile() + ")")
            .until(c -> {
                if (!appliance.isAlive()) {
                    throw new IllegalStateException("the appliance exited: " + appliance.outputTail());
                }
                try {
                    return c.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() > 0;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        browser = new UiBrowser(sandbox, base);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (appliance != null) {
            appliance.close();
        }
    }

    @AfterEach
    void noScriptErrorOrCspViolation() {
        assertEquals(List.of(), browser.drainConsoleProblems(), "browser console");
    }

    private String setupToken() {
        try {
            return Files.readString(dataDir.resolve("setup-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void aWrongSetupTokenIsShownAtItsField() {
        browser.open("", "Set up the appliance");
        browser.type("Setup token", "not-the-token");
        browser.type("Admin username", ADMIN);
        browser.type("Password", PASSWORD);
        browser.type("Password again", PASSWORD);
        for (String scheme : List.of("light", "dark")) {
            browser.colorScheme(scheme);
            assertEquals(List.of(), browser.seriousAccessibilityViolations(), "setup view, " + scheme);
        }
        browser.colorScheme("light");
        browser.screenshot("setup");
        browser.click("Create admin");
        WebElement token = browser.field("Setup token");
        browser.await("the token error", d -> "true".equals(token.getAttribute("aria-invalid")));
        assertTrue(browser.driver.findElement(By.id("f-token-error")).getText().contains("not the setup token"));
        assertEquals(token, browser.driver.switchTo().activeElement(), "focus moves to the field at fault");
    }

    @Test
    @Order(2)
    void setupThenLoginThenDashboard() {
        browser.type("Setup token", setupToken());
        browser.click("Create admin");
        browser.awaitHeading("Log in");
        assertEquals(ADMIN, browser.field("Username").getAttribute("value"), "the new admin's name is filled in");

        browser.type("Password", "wrong-password-for-sure");
        browser.click("Log in");
        WebElement password = browser.field("Password");
        browser.await("the wrong-password error", d -> "true".equals(password.getAttribute("aria-invalid")));
        assertTrue(browser.driver.findElement(By.id("f-password-error")).getText().contains("Wrong username or password"));
        for (String scheme : List.of("light", "dark")) {
            browser.colorScheme(scheme);
            assertEquals(List.of(), browser.seriousAccessibilityViolations(), "login view, " + scheme);
        }
        browser.colorScheme("light");
        browser.screenshot("login");

        browser.type("Password", PASSWORD);
        browser.click("Log in");
        browser.awaitHeading("Dashboard");
        browser.await("adapter rows", d -> d.findElements(By.cssSelector("#adapters tbody tr")).size() >= 2);
        assertEquals(ADMIN, browser.driver.findElement(By.id("account-name")).getText());
        assertFalse(browser.dialogOpen());
    }

    @Test
    @Order(3)
    void uiRequestsNeverGetABasicChallengeSoNoPasswordDialogOpens() {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) browser.asyncScript("const done = arguments[arguments.length - 1];"
            + "fetch('/api/v1/rooms', {headers: {'X-Requested-With': 'x'}, credentials: 'omit'})"
            + ".then(r => done({status: r.status, challenge: r.headers.get('WWW-Authenticate')}));");
        assertEquals(401L, r.get("status"));
        assertFalse(String.valueOf(r.get("challenge")).toLowerCase().startsWith("basic"), r.toString());
    }

    @Test
    @Order(4)
    void repeatedFailedLoginsShowTheWait() {
        browser.driver.findElement(By.id("logout")).click();
        browser.awaitHeading("Log in");
        for (int i = 0; i < 6 && browser.driver.findElements(By.cssSelector(".form-error:not([hidden])")).isEmpty(); i++) {
            browser.type("Username", ADMIN);
            browser.type("Password", "wrong-" + i + "-password");
            browser.await("the login button enabled", d -> d.findElement(By.cssSelector("form button[type=submit]")).isEnabled());
            browser.click("Log in");
            browser.await("an answer to login " + i, d -> "true".equals(browser.field("Password").getAttribute("aria-invalid"))
                || !d.findElements(By.cssSelector(".form-error:not([hidden])")).isEmpty());
        }
        WebElement wait = browser.visible(By.cssSelector(".form-error:not([hidden])"));
        assertTrue(wait.getText().matches("Too many failed logins\\. Wait \\d+ s before trying again\\."), wait.getText());
        assertFalse(browser.driver.findElement(By.cssSelector("form button[type=submit]")).isEnabled());
    }
}
