package org.bridgeappliance.it.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.it.bridge.BridgeFixture;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The admin web UI in headless Chromium against the sandbox's running appliance and its real Prosody and Synapse:
 * an admin maps an existing MUC and an existing Matrix room picked from the pickers, then a Smack message reaches a
 * plain-HTTP Matrix client; field errors, conflicts and stale edits; hostile room names stay text; the session
 * cookie is invisible to scripts; CSRF; accessibility (axe-core) in light and dark; screenshots of the main views
 * for the README (docs/screenshots). One browser for the class; after each test the console must be free of CSP
 * violations and script errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminUiIT {
    static final String HOSTILE = "<img src=x onerror=alert(1)>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BridgeFixture f;
    private UiBrowser browser;
    private XmppUsers.User alice;
    private Session carol;
    private final List<String> mappings = new ArrayList<>();
    private String mappedMuc;
    private String mappingName;
    private String mappedMatrixRoom;

    @BeforeAll
    void start() {
        f = new BridgeFixture();
        browser = new UiBrowser(f.sandbox, f.sandbox.get("ADMIN_URL"));
        alice = f.xmpp.registerAndLogin("alice");
        carol = f.newMatrixUser("carol", "Carol UI");
        browser.driver.get(browser.base + "/admin/");
        logIn("Dashboard");
    }

    /** Logs in on the login view, which then shows the view with {@code heading}. */
    private void logIn(String heading) {
        browser.awaitHeading("Log in");
        browser.type("Username", f.sandbox.get("ADMIN_USER"));
        browser.type("Password", f.sandbox.get("ADMIN_PASSWORD"));
        browser.click("Log in");
        browser.awaitHeading(heading);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (f != null) {
            for (String id : mappings) {
                f.admin("DELETE", "/api/v1/rooms/" + id, null);
            }
            f.close();
        }
    }

    @AfterEach
    void noScriptErrorOrCspViolation() {
        assertEquals(List.of(), browser.drainConsoleProblems(), "browser console");
        assertFalse(browser.dialogOpen(), "no JavaScript dialog opened");
    }

    /** A public MUC on the sandbox's service, created by alice, with a room name (what disco#items lists). */
    private MultiUserChat muc(String roomName) throws Exception {
        MultiUserChat muc = f.createMuc(alice, "alice-nick");
        FillableForm form = muc.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_roomname", roomName);
        form.setAnswer("muc#roomconfig_publicroom", true); // disco#items lists public rooms only (XEP-0045 §6.3)
        muc.sendConfigurationForm(form);
        return muc;
    }

    /** A public Matrix room created by carol with the bridge bot invited; waits until the bot has joined. */
    private String matrixRoom(String name) {
        String roomId = f.matrix.createRoom(carol, Map.of("preset", "public_chat", "visibility", "public",
            "name", name, "invite", List.of(f.bot())));
        BridgeFixture.awaitCondition("the bridge bot joining " + roomId, () -> {
            var r = f.matrix.call("GET", "/_matrix/client/v3/rooms/" + roomId.replace("!", "%21") + "/joined_members",
                carol.accessToken(), null);
            return r.ok() && r.body().path("joined").has(f.bot());
        }, BridgeFixture.WAIT);
        return roomId;
    }

    private String createViaApi(String name, String network, String room) throws IOException {
        var body = JSON.createObjectNode().put("name", name).put("enabled", true);
        body.putArray("portals").addObject().put("network", network).put("room", room);
        HttpResponse<String> r = f.admin("POST", "/api/v1/rooms", body.toString());
        assertEquals(201, r.statusCode(), r.body());
        String id = JSON.readTree(r.body()).path("id").asText();
        mappings.add(id);
        return id;
    }

    /** Searches the picker of {@code network} for {@code query} and chooses the room {@code room}. */
    private WebElement pick(String network, String query, String room) {
        browser.type("Search rooms on " + network, query);
        browser.click("Find " + network + " rooms");
        WebElement choice = browser.visible(By.cssSelector("#pick-" + network + "-results button.pick[data-room='"
            + room + "']"));
        choice.click();
        browser.await(network + " field filled", d -> room.equals(browser.field("Room on " + network).getAttribute("value")));
        return choice;
    }

    private void assertAccessibleInLightAndDark(String view) {
        for (String scheme : List.of("light", "dark")) {
            browser.colorScheme(scheme);
            assertEquals(List.of(), browser.seriousAccessibilityViolations(), view + " view, " + scheme);
        }
        browser.colorScheme("light");
    }

    private WebElement rowNamed(String name) {
        return browser.visible(By.xpath("//main//table//tr[th[normalize-space(.)=\"" + name + "\"]]"));
    }

    @Test
    @Order(1)
    void dashboardShowsEveryAdapterWithStateAsTextAndIcon() {
        browser.open("#/dashboard", "Dashboard");
        WebElement xmpp = browser.visible(By.cssSelector("#adapters tr[data-network='xmpp']"));
        browser.await("xmpp connected", d -> d.findElement(By.cssSelector("#adapters tr[data-network='xmpp'] .state"))
            .getText().contains("Connected"));
        assertTrue(xmpp.findElement(By.cssSelector(".icon")).getText().length() > 0, "an icon, not colour alone");
        assertFalse(browser.driver.findElement(By.id("version")).getText().isBlank());
        assertAccessibleInLightAndDark("dashboard");
    }

    @Test
    @Order(2)
    void anAdminMapsAnExistingMucAndMatrixRoomPickedInTheBrowserAndMessagesFlow() throws Exception {
        String unique = Sandbox.uniqueName("ui");
        MultiUserChat muc = muc("UI lobby " + unique);
        mappedMuc = muc.getRoom().toString();
        String roomName = "UI Matrix " + unique;
        String roomId = matrixRoom(roomName);
        mappedMatrixRoom = roomId;
        mappingName = "UI mapping " + unique;

        browser.open("#/rooms/new", "New room mapping");
        browser.type("Name", mappingName);
        WebElement xmppChoice = pick("xmpp", unique, mappedMuc);
        assertTrue(xmppChoice.getText().contains("UI lobby " + unique), xmppChoice.getText());
        pick("matrix", roomName, roomId);
        assertAccessibleInLightAndDark("room editor");
        browser.screenshot("room-editor");
        browser.click("Create mapping");
        browser.awaitHeading("Room mappings");
        WebElement row = rowNamed(mappingName);
        mappings.add(row.getAttribute("data-id"));
        assertTrue(row.getText().contains(mappedMuc) && row.getText().contains(roomId), row.getText());
        assertAccessibleInLightAndDark("room list");

        // The bridge joins the MUC on its room sync; then alice's message reaches carol's plain HTTP client.
        BridgeFixture.awaitCondition("the bridge joining " + mappedMuc, () -> muc.getOccupantsCount() >= 2,
            BridgeFixture.WAIT);
        String since = f.matrix.currentSyncToken(carol);
        String hello = "hello from the UI-mapped MUC " + unique;
        alice.connection().sendStanza(BridgeFixture.groupchat(muc, hello));
        f.matrix.awaitTimelineEvent(carol, roomId, since, e -> hello.equals(e.path("content").path("body").asText()),
            BridgeFixture.WAIT);

        // The mapping survives a reload, and the audit page shows who made it.
        browser.driver.navigate().refresh();
        browser.awaitHeading("Room mappings");
        rowNamed(mappingName);
        browser.open("#/audit?action=room.create", "Audit log");
        WebElement entry = browser.visible(By.xpath("//main//tr[td[contains(., \"" + mappingName + "\")]]"));
        assertTrue(entry.getText().contains(f.sandbox.get("ADMIN_USER")), entry.getText());
        assertAccessibleInLightAndDark("audit");
        browser.screenshot("audit");
    }

    @Test
    @Order(3)
    void aBadMatrixIdIsShownAtItsFieldWithAriaInvalidAndFocus() {
        browser.open("#/rooms/new", "New room mapping");
        browser.type("Name", "bad id " + Sandbox.uniqueName("b"));
        browser.type("Room on matrix", "not-a-matrix-room");
        browser.click("Create mapping");
        WebElement matrix = browser.field("Room on matrix");
        browser.await("aria-invalid on the Matrix field", d -> "true".equals(matrix.getAttribute("aria-invalid")));
        assertEquals(matrix, browser.driver.switchTo().activeElement(), "focus is on the field at fault");
        String error = browser.driver.findElement(By.id(matrix.getAttribute("id") + "-error")).getText();
        assertFalse(error.isBlank());
        assertTrue(matrix.getAttribute("aria-describedby").contains(matrix.getAttribute("id") + "-error"));
    }

    @Test
    @Order(4)
    void mappingAPortalMappedElsewhereShowsTheConflictNamingTheOtherMapping() {
        browser.open("#/rooms/new", "New room mapping");
        browser.type("Name", "conflicting " + Sandbox.uniqueName("c"));
        browser.type("Room on xmpp", mappedMuc);
        browser.click("Create mapping");
        WebElement error = browser.visible(By.cssSelector("form .form-error"));
        assertTrue(error.getText().contains(mappingName), error.getText());
    }

    @Test
    @Order(5)
    void aStaleEditGetsThe412Message() throws Exception {
        String name = "stale " + Sandbox.uniqueName("s");
        String id = createViaApi(name, "xmpp", Sandbox.uniqueName("stale") + "@" + f.sandbox.get("XMPP_MUC_DOMAIN"));
        browser.open("#/rooms/" + id, "Edit mapping “" + name + "”");
        // Another admin renames it meanwhile.
        HttpResponse<String> other = f.admin("GET", "/api/v1/rooms/" + id, null);
        var room = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(other.body());
        room.remove("id");
        room.put("name", name + " (renamed by someone else)");
        assertEquals(200, f.admin("PUT", "/api/v1/rooms/" + id, room.toString()).statusCode());

        browser.type("Name", name + " (mine)");
        browser.click("Save changes");
        WebElement error = browser.visible(By.cssSelector("form .form-error"));
        assertTrue(error.getText().contains("Someone else changed this mapping"), error.getText());
        assertEquals(name + " (renamed by someone else)", JSON.readTree(f.admin("GET", "/api/v1/rooms/" + id, null)
            .body()).path("name").asText(), "nothing was overwritten");
    }

    @Test
    @Order(6)
    void aHostileRoomNameIsShownAsTextAndNoDialogOpens() throws Exception {
        String unique = Sandbox.uniqueName("x");
        MultiUserChat muc = muc(HOSTILE + " " + unique);
        browser.open("#/rooms/new", "New room mapping");
        WebElement choice = pick("xmpp", unique, muc.getRoom().toString());
        assertTrue(choice.findElement(By.cssSelector(".room-name")).getText().startsWith(HOSTILE), choice.getText());
        assertEquals(0, browser.driver.findElements(By.cssSelector("main img")).size(), "no element was made of it");

        createViaApi(HOSTILE + " " + unique, "xmpp", Sandbox.uniqueName("xss") + "@" + f.sandbox.get("XMPP_MUC_DOMAIN"));
        browser.open("#/rooms?q=" + unique, "Room mappings");
        rowNamed(HOSTILE + " " + unique);
        assertEquals(0, browser.driver.findElements(By.cssSelector("main img")).size());
        assertFalse(browser.dialogOpen());
    }

    @Test
    @Order(7)
    void theSessionCookieIsInvisibleToScriptsAndMutationsNeedTheCsrfHeader() {
        browser.open("#/rooms", "Room mappings");
        assertFalse(String.valueOf(browser.script("return document.cookie;")).contains("bridge_admin_session"));
        Object status = browser.asyncScript("const done = arguments[arguments.length - 1];"
            + "fetch('/api/v1/rooms', {method: 'POST', headers: {'Content-Type': 'application/json',"
            + " 'X-Requested-With': 'x'}, body: JSON.stringify({name: 'csrf', portals: [{network: 'xmpp',"
            + " room: 'csrf@conference.xmpp.test'}]})}).then(r => done(r.status));");
        assertEquals(403L, status);
    }

    @Test
    @Order(8)
    void everyViewIsAccessibleInLightAndDarkUsableAt320PxAndLoadsOnlyFromItsOrigin() {
        Map<String, String> views = Map.of("#/puppets", "Puppets", "#/links", "Identity links", "#/admins", "Admins");
        for (var view : views.entrySet()) {
            browser.open(view.getKey(), view.getValue());
            assertAccessibleInLightAndDark(view.getValue());
            browser.screenshot(view.getKey().substring(2));
        }
        browser.viewportWidth(320);
        try {
            for (String hash : List.of("#/dashboard", "#/audit", "#/rooms/new", "#/rooms")) {
                browser.driver.get(browser.base + "/admin/" + hash);
                browser.await("the view at 320 px", d -> !d.findElements(By.cssSelector("main .view h1")).isEmpty());
                Object overflow = browser.script("return document.documentElement.scrollWidth - window.innerWidth;");
                assertTrue(((Number) overflow).longValue() <= 0, hash + " scrolls sideways at 320 px by " + overflow);
            }
            browser.screenshot("rooms-320px");
        } finally {
            browser.viewportWidth(0);
        }
        for (String url : browser.loadedResources()) {
            assertTrue(url.startsWith(browser.base + "/"), "request to another origin: " + url);
        }
    }

    @Test
    @Order(9)
    void theMappingFlowWorksWithTheKeyboardAlone() {
        browser.open("#/rooms", "Room mappings");
        String name = "keyboard " + Sandbox.uniqueName("k");
        String jid = Sandbox.uniqueName("kbd") + "@" + f.sandbox.get("XMPP_MUC_DOMAIN");
        tabTo(e -> "New mapping".equals(e.getText()));
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.awaitHeading("New room mapping");
        tabTo(e -> "f-name".equals(e.getAttribute("id")));
        browser.driver.switchTo().activeElement().sendKeys(name);
        tabTo(e -> "f-room-xmpp".equals(e.getAttribute("id")));
        browser.driver.switchTo().activeElement().sendKeys(jid, Keys.ENTER);
        browser.awaitHeading("Room mappings");
        mappings.add(rowNamed(name).getAttribute("data-id"));
    }

    private void tabTo(java.util.function.Predicate<WebElement> target) {
        for (int i = 0; i < 60; i++) {
            browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
            if (target.test(browser.driver.switchTo().activeElement())) {
                return;
            }
        }
        throw new AssertionError("60 tabs did not reach the control");
    }

    @Test
    @Order(10)
    void theDashboardShowsXmppReconnectingWhenProsodyStopsAndConnectedWhenItIsBackWithoutAReload() throws Exception {
        browser.open("#/dashboard", "Dashboard");
        By xmppState = By.cssSelector("#adapters tr[data-network='xmpp'] .state");
        browser.await("xmpp connected", d -> "CONNECTED".equals(d.findElement(xmppState).getAttribute("data-status")));
        Object marker = browser.script("window.__noReload = 1; return window.__noReload;");
        assertEquals(1L, marker);
        // The states come from the live stream (GET /api/v1/events), not from polling.
        browser.await("the dashboard shows the stream's data",
            d -> "stream".equals(d.findElement(By.id("adapters")).getAttribute("data-source")));
        browser.script("performance.clearResourceTimings();");
        sandbox("stop", "prosody");
        try {
            new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(60))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> "RECONNECTING".equals(d.findElement(xmppState).getAttribute("data-status")));
            assertTrue(browser.status().contains("xmpp: Reconnecting"), "announced politely: " + browser.status());
            assertEquals("stream", browser.driver.findElement(By.id("adapters")).getAttribute("data-source"),
                "the change came down the event stream");
            browser.screenshot("dashboard-reconnecting");
        } finally {
            sandbox("start", "prosody");
        }
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(90))
            .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
            .until(d -> "CONNECTED".equals(d.findElement(xmppState).getAttribute("data-status")));
        assertEquals(1L, browser.script("return window.__noReload;"), "the page was not reloaded");
        assertEquals("stream", browser.driver.findElement(By.id("adapters")).getAttribute("data-source"));
        assertEquals(0L, browser.script("return performance.getEntriesByType('resource').filter(e =>"
            + " e.name.includes('/api/v1/adapters') || e.name.includes('/api/v1/activity')).length;"),
            "no polling while the stream worked");
    }

    @Test
    @Order(3)
    void afterMessagesAreBridgedTheDashboardChartAndTheRoomListShowThem() {
        // test 2 bridged alice's message from the MUC to Matrix
        browser.open("#/dashboard", "Dashboard");
        WebElement line = browser.visible(By.cssSelector("#traffic svg.chart polyline[data-series='xmpp → matrix']"));
        browser.await("the last hour counts the bridged message", d -> Long.parseLong(d.findElement(
            By.cssSelector("#traffic tr[data-pair='xmpp → matrix'] td")).getText()) >= 1);
        String[] points = line.getAttribute("points").split(" ");
        assertEquals(60, points.length, "one point per minute of the last hour");
        double baseline = java.util.Arrays.stream(points).mapToDouble(p -> Double.parseDouble(p.split(",")[1])).max()
            .orElseThrow();
        assertTrue(java.util.Arrays.stream(points).anyMatch(p -> Double.parseDouble(p.split(",")[1]) < baseline),
            "the line rises above zero somewhere: " + line.getAttribute("points"));
        assertTrue(browser.driver.findElement(By.cssSelector("#traffic svg.chart")).getAttribute("aria-label")
            .contains("xmpp → matrix"), "the chart has a text alternative");
        assertAccessibleInLightAndDark("dashboard with traffic");
        browser.screenshot("dashboard");
        browser.colorScheme("dark");
        browser.screenshot("dashboard-dark");
        browser.colorScheme("light");

        browser.open("#/rooms", "Room mappings");
        WebElement row = rowNamed(mappingName);
        browser.await("the mapping's last delivery", d -> !rowNamed(mappingName)
            .findElement(By.cssSelector(".last-delivery")).getText().contains("none"));
        assertEquals("0", row.findElement(By.cssSelector(".backlog")).getText(), "nothing waiting");
        assertTrue(row.findElement(By.cssSelector(".last-error")).getText().contains("none"), row.getText());
        assertEquals(2, row.findElements(By.cssSelector("li .joined[data-joined='true']")).size(),
            "the bridge is in the MUC and the bot in the Matrix room: " + row.getText());
        assertAccessibleInLightAndDark("room list with health");
        browser.screenshot("rooms");
    }

    @Test
    @Order(3)
    void aPuppetShowsItsRoomsAndItsAvatarServedFromThisOrigin() throws Exception {
        // carol (Matrix) gets an avatar and speaks in the room mapped by test 2: her XMPP puppet carries the avatar
        byte[] png = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        String mxc = f.upload(carol, png, "image/png", "carol.png");
        var avatar = JSON.createObjectNode().put("avatar_url", mxc);
        assertTrue(f.matrix.call("PUT", "/_matrix/client/v3/profile/" + java.net.URLEncoder.encode(carol.userId(),
            java.nio.charset.StandardCharsets.UTF_8) + "/avatar_url", carol.accessToken(), avatar).ok());
        f.matrix.sendText(carol, mappedMatrixRoom, "carol, now with a face " + Sandbox.uniqueName("av"));
        String puppetJid = f.puppetOf(carol.userId()).toString();
        BridgeFixture.awaitCondition("carol's XMPP puppet with an avatar", () -> {
            HttpResponse<String> r = f.admin("GET", "/api/v1/puppets?network=xmpp&q="
                + java.net.URLEncoder.encode(puppetJid, java.nio.charset.StandardCharsets.UTF_8), null);
            try {
                for (var p : JSON.readTree(r.body()).path("items")) {
                    if (p.path("puppetId").asText().equals(puppetJid) && !p.path("avatar").asText("").isEmpty()) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, BridgeFixture.WAIT);

        browser.open("#/puppets?network=xmpp&q=" + java.net.URLEncoder.encode(puppetJid,
            java.nio.charset.StandardCharsets.UTF_8), "Puppets");
        WebElement link = browser.visible(By.cssSelector("main table a.display-name"));
        String name = link.getText();
        assertTrue(name.contains("Carol"), name);
        link.click();
        browser.awaitHeading(name);
        WebElement img = browser.visible(By.cssSelector("main img.avatar"));
        browser.await("the avatar loaded", d -> ((Number) browser.script(
            "const i = document.querySelector('main img.avatar'); return i && i.complete ? i.naturalWidth : 0;"))
            .longValue() > 0);
        assertTrue(img.getAttribute("src").startsWith(browser.base + "/api/v1/puppets/avatar?"), img.getAttribute("src"));
        WebElement rooms = browser.visible(By.id("puppet-rooms"));
        assertTrue(rooms.getText().contains(mappingName), rooms.getText());
        assertAccessibleInLightAndDark("puppet");
        browser.screenshot("puppet");
        for (String url : browser.loadedResources()) {
            assertTrue(url.startsWith(browser.base + "/"), "request to another origin: " + url);
        }
    }

    @Test
    @Order(11)
    void theMappingSurvivesAnApplianceRestartAndTheAuditPageShowsIt() {
        org.bridgeappliance.it.bridge.SandboxControl control = new org.bridgeappliance.it.bridge.SandboxControl(f.sandbox);
        browser.driver.get("about:blank"); // no view polls the appliance while it is down
        control.stop("appliance", false);
        control.up();
        control.awaitAdaptersConnected(f, java.time.Duration.ofSeconds(90));
        // sessions live in memory: the restart signed the browser out
        browser.driver.get(browser.base + "/admin/#/rooms");
        logIn("Room mappings");
        WebElement row = rowNamed(mappingName);
        assertTrue(row.getText().contains(mappedMuc), row.getText());
        browser.open("#/audit?action=room.create", "Audit log");
        WebElement entry = browser.visible(By.xpath("//main//tr[td[contains(., \"" + mappingName + "\")]]"));
        assertTrue(entry.getText().contains(f.sandbox.get("ADMIN_USER")), entry.getText());
    }

    @Test
    @Order(12)
    void theDashboardPollsWhileTheEventStreamFailsAndGoesBackToItWhenItWorks() {
        By xmppState = By.cssSelector("#adapters tr[data-network='xmpp'] .state");
        By adapters = By.id("adapters");
        browser.driver.executeCdpCommand("Network.enable", Map.of());
        browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*/api/v1/events*")));
        try {
            browser.open("#/dashboard", "Dashboard");
            browser.await("the dashboard falls back to polling",
                d -> "poll".equals(d.findElement(adapters).getAttribute("data-source")));
            browser.await("xmpp connected, by polling",
                d -> "CONNECTED".equals(d.findElement(xmppState).getAttribute("data-status")));
            browser.script("performance.clearResourceTimings();");
            new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(8))
                .until(d -> ((Number) browser.script("return performance.getEntriesByType('resource')"
                    + ".filter(e => e.name.endsWith('/api/v1/adapters')).length;")).longValue() >= 1);
        } finally {
            browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
        }
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(60))
            .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
            .until(d -> "stream".equals(d.findElement(adapters).getAttribute("data-source")));
        for (String problem : browser.drainConsoleProblems()) {
            assertTrue(problem.contains("/api/v1/events") && problem.contains("ERR_BLOCKED_BY_CLIENT"),
                "only the blocked stream may fail: " + problem);
        }
    }

    private void sandbox(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(f.sandbox.repoRoot().resolve("deploy/sandbox.sh").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES), "deploy/sandbox.sh " + String.join(" ", args));
        assertEquals(0, p.exitValue(), out);
    }
}
