package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * vdresize's Cockpit plugin in a real browser (Debian's headless chromium), against real libvirt:
 * an operator grows a running VM's disk twice through the API (+16M completes, +128M waits for an
 * approver). The auditor, then the operator, log in to Cockpit: the "Disk resizes" dashboard shows
 * the figures of {@code GET /api/stats/resizes} and the resize waiting for approval; the search by VM
 * finds the finished resize and opens its page (old and new size, the VM, the steps, the audit
 * entries as the API has them); the waiting resize's process instance has the "Disk resize" tab.
 * The auditor finds nothing to act with: no button but the search, no Tasklist link, and the API
 * refuses a write with the auditor's session. The operator sees the Tasklist link.
 *
 * <p>Pictures go to {@code target/screenshots/}, or with {@code -Dvdresize.screenshots=docs/images}
 * to the documentation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:cockpit-plugin;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system",
        "vdresize.approval.growth-bytes=67108864",  // +16M runs at once, +128M waits for an approver
        "camunda.bpm.generate-unique-process-application-name=true"})
class CockpitPluginBrowserIT extends BrowserTestBase {

    static final Duration UI_WAIT = Duration.ofSeconds(120);
    static final Duration RESIZE_WAIT = Duration.ofSeconds(90);

    LibvirtFixture lv;
    Path image;
    String vm;
    ApiClient auditorApi;

    CockpitPluginBrowserIT() {
        super(UI_WAIT);
    }

    @BeforeAll
    void setUp() throws IOException {
        lv = LibvirtFixture.create();
        image = lv.createQcow2("cockpit.qcow2", 64 * MIB);
        vm = lv.startVm("cockpit", Disk.virtio(image, "vdb"));
        auditorApi = new ApiClient(port, "auditor", "auditor");
    }

    @AfterAll
    void tearDown() {
        if (lv != null) {
            lv.close();
        }
    }

    @Test
    void anAuditorAndAnOperatorReadTheResizesInCockpitAndTheAuditorCannotAct() {
        // 1. two resizes through the API, as automation starts them
        ApiClient operatorApi = new ApiClient(port, "operator", "operator");
        String body = "{\"vm\":\"" + vm + "\",\"target\":\"vdb\",\"size\":\"%s\",\"reason\":\"%s\"}";
        ApiClient.Response small = operatorApi.post("/api/resizes", body.formatted("+16M", "more room for the logs"));
        assertThat(small.status()).as(small.body().toString()).isEqualTo(202);
        String finished = small.body().get("id").asText();
        JsonNode done = auditorApi.awaitEnd(finished, RESIZE_WAIT);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        ApiClient.Response large = operatorApi.post("/api/resizes", body.formatted("+128M", "the database moves here"));
        assertThat(large.status()).as(large.body().toString()).isEqualTo(202);
        String waiting = large.body().get("id").asText();
        assertThat(awaitStatus(waiting, "WAITING_FOR_APPROVAL").get("status").asText()).isEqualTo("WAITING_FOR_APPROVAL");
        step("resize " + finished + " COMPLETED, " + waiting + " WAITING_FOR_APPROVAL");

        // 2. the auditor's dashboard: the figures are the API's
        logIn("cockpit", "auditor");
        WebElement dashboard = openDashboard();
        JsonNode stats = auditorApi.get("/api/stats/resizes?days=30").body();
        checkFigures(dashboard, stats);
        WebElement waitingRow = visible(By.cssSelector(".vdr-waiting-resize[data-resize-id='" + waiting + "']"));
        assertThat(waitingRow.getText()).contains(image.toString()).contains("+128 MiB").contains("operator");
        assertThat(dashboard.findElements(By.cssSelector("a.vdr-tasklist"))).as("no Tasklist for auditors").isEmpty();
        assertThat(controls(dashboard)).as("the only control is the search").containsExactly("input:search", "button:Search");
        scrollTo(dashboard);
        screenshot("cockpit-plugin-dashboard.png");
        step("auditor: dashboard figures match /api/stats/resizes");

        // 3. the search by VM finds the finished resize; its page shows what the API has
        WebElement search = visible(By.cssSelector("input.vdr-search"));
        search.clear();
        search.sendKeys(vm + Keys.ENTER);
        visible(By.xpath("//p[contains(@class,'vdr-search-result')][contains(.,'" + vm + "')]"));
        WebElement row = visible(By.cssSelector(".vdr-finished-resize[data-resize-id='" + finished + "']"));
        assertThat(browser.findElements(By.cssSelector(".vdr-finished-resize"))).hasSize(1);
        assertThat(row.getText()).contains("COMPLETED").contains("64.0 MiB → 80.0 MiB");
        row.findElement(By.cssSelector("a.vdr-details")).click();
        WebElement page = visible(By.cssSelector(".vdr-resize[data-resize-id='" + finished + "']"));
        checkDetails(page, done);
        assertThat(controls(page)).as("a resize's page has no control at all").isEmpty();
        screenshot("cockpit-plugin-resize.png");
        step("auditor: the finished resize's page matches /api/resizes/" + finished);

        // 4. the waiting resize's process instance: the "Disk resize" tab
        WebElement tab = openTab(waiting);
        assertThat(tab.findElement(By.cssSelector(".vdr-status")).getText()).isEqualTo("WAITING_FOR_APPROVAL");
        assertThat(tab.findElement(By.cssSelector(".vdr-new-size")).getDomAttribute("data-bytes"))
                .isEqualTo(String.valueOf(208 * MIB));
        assertThat(tab.findElement(By.cssSelector(".vdr-waiting")).getText()).contains("Waits for a disk approver");
        assertThat(tab.findElements(By.cssSelector("a.vdr-tasklist"))).isEmpty();
        assertThat(controls(tab)).isEmpty();
        screenshot("cockpit-plugin-tab.png");

        // 5. the auditor's session reads, but cannot write: not even a forged request from this page
        assertThat(fetchWithSession("GET", "/api/resizes/" + waiting)).isEqualTo(200);
        assertThat(fetchWithSession("POST", "/api/resizes")).isEqualTo(401);
        assertThat(auditorApi.get("/api/resizes/" + waiting).body().get("status").asText()).isEqualTo("WAITING_FOR_APPROVAL");
        step("auditor: the tab shows the waiting resize; a POST with the session is 401");

        // 6. the operator: the same figures, and the way to Tasklist for the waiting resize
        logIn("cockpit", "operator");
        WebElement operatorDashboard = openDashboard();
        checkFigures(operatorDashboard, new ApiClient(port, "operator", "operator").get("/api/stats/resizes?days=30").body());
        WebElement link = visible(By.cssSelector(".vdr-waiting-resize[data-resize-id='" + waiting + "'] a.vdr-tasklist"));
        assertThat(link.getDomAttribute("href")).isEqualTo("/camunda/app/tasklist/" + engine.getName() + "/");
        WebElement operatorTab = openTab(waiting);
        assertThat(operatorTab.findElements(By.cssSelector("a.vdr-tasklist"))).hasSize(1);
        step("operator: dashboard and tab, with the Tasklist link");
    }

    // ---- checks ---------------------------------------------------------------------------------

    void checkFigures(WebElement dashboard, JsonNode stats) {
        for (Map.Entry<String, JsonNode> status : iterable(stats.get("byStatus"))) {
            WebElement bar = dashboard.findElement(By.cssSelector(".vdr-status-chart [data-status='" + status.getKey() + "']"));
            assertThat(bar.getDomAttribute("data-count")).as(status.getKey()).isEqualTo(status.getValue().asText());
        }
        assertThat(stats.at("/byStatus/COMPLETED").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(dashboard.findElement(By.cssSelector(".vdr-total-growth")).getDomAttribute("data-bytes"))
                .isEqualTo(stats.get("growthBytes").asText());
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        List<WebElement> days = dashboard.findElements(By.cssSelector(".vdr-growth-chart rect.vdr-day"));
        assertThat(days).hasSize(30);
        assertThat(days.get(29).getDomAttribute("data-day")).isEqualTo(today);
        assertThat(Long.parseLong(days.get(29).getDomAttribute("data-bytes"))).isEqualTo(stats.at("/growthPerDay/29/growthBytes").asLong())
                .isGreaterThanOrEqualTo(16 * MIB);
        WebElement disk = dashboard.findElement(By.cssSelector(".vdr-top-disk[data-path='" + image + "']"));
        assertThat(disk.getText()).contains("+16.0 MiB");
    }

    void checkDetails(WebElement page, JsonNode resize) {
        assertThat(page.findElement(By.cssSelector(".vdr-disk")).getText()).isEqualTo(image.toString());
        assertThat(page.findElement(By.cssSelector(".vdr-old-size")).getDomAttribute("data-bytes"))
                .isEqualTo(resize.get("oldSize").asText()).isEqualTo(String.valueOf(64 * MIB));
        assertThat(page.findElement(By.cssSelector(".vdr-new-size")).getDomAttribute("data-bytes"))
                .isEqualTo(resize.get("newSize").asText()).isEqualTo(String.valueOf(80 * MIB));
        assertThat(page.findElement(By.cssSelector(".vdr-requested-by")).getText()).isEqualTo("operator");
        WebElement vmRow = page.findElement(By.cssSelector(".vdr-vm[data-vm='" + vm + "']"));
        assertThat(vmRow.getText()).contains(resize.at("/vms/0/status").asText()).contains("80.0 MiB");
        assertThat(page.findElements(By.cssSelector(".vdr-guest"))).hasSize(resize.get("guest").size());
        assertThat(page.findElements(By.cssSelector(".vdr-step"))).hasSize(resize.get("steps").size()).isNotEmpty();
        assertThat(page.findElements(By.cssSelector(".vdr-timeline rect"))).isNotEmpty();
        JsonNode audit = auditorApi.getAll("/api/audit?resizeId=" + URLEncoder.encode(resize.get("id").asText(), StandardCharsets.UTF_8));
        List<String> types = page.findElements(By.cssSelector(".vdr-audit")).stream().map(e -> e.getDomAttribute("data-type")).toList();
        assertThat(types).isEqualTo(iterableValues(audit, "type")).contains("RESIZE_REQUESTED", "RESIZE_COMPLETED");
    }

    JsonNode awaitStatus(String id, String status) {
        long end = System.nanoTime() + RESIZE_WAIT.toNanos();
        JsonNode resize = auditorApi.get("/api/resizes/" + id).body();
        while (!status.equals(resize.path("status").asText()) && System.nanoTime() < end) {
            resize = auditorApi.get("/api/resizes/" + id + "?wait=5").body();
        }
        return resize;
    }

    // ---- the browser ----------------------------------------------------------------------------

    /** Cockpit's dashboard; plugins of cockpit.dashboard sit in a section that may start collapsed. */
    WebElement openDashboard() {
        open("/camunda/app/cockpit/" + engine.getName() + "/#/dashboard");
        By plugin = By.cssSelector(".vdr-dashboard .vdr-status-chart");
        visible(By.xpath("//*[normalize-space(.)='Running Process Instances']"));
        if (browser.findElements(plugin).isEmpty()) {
            List<WebElement> toggle = browser.findElements(By.cssSelector("section.deprecate button.section-toggle"));
            if (!toggle.isEmpty()) {
                scrollTo(toggle.get(0));
                toggle.get(0).click();
            }
        }
        visible(plugin);
        return browser.findElement(By.cssSelector(".vdr-dashboard"));
    }

    WebElement openTab(String processInstanceId) {
        open("/camunda/app/cockpit/" + engine.getName() + "/#/process-instance/" + processInstanceId + "/runtime");
        WebElement tab = visible(By.xpath("//*[contains(@class,'ctn-tabbed')]//a[normalize-space(.)='Disk resize']"));
        scrollTo(tab);
        tab.click();
        return visible(By.cssSelector(".vdr-resize[data-resize-id='" + processInstanceId + "']"));
    }

    /** What a user could operate inside an element: buttons, inputs, selects, text areas. */
    List<String> controls(WebElement within) {
        return within.findElements(By.cssSelector("button, input, select, textarea")).stream()
                .map(e -> e.getTagName() + ":" + ("input".equals(e.getTagName()) ? e.getDomAttribute("type") : e.getText()))
                .toList();
    }

    /** The status of a same-origin fetch from the page with the session cookie and its CSRF token. */
    long fetchWithSession(String method, String path) {
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const token = (document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/) || [])[1] || '';
                fetch(arguments[1], {method: arguments[0], credentials: 'same-origin',
                    headers: {'X-XSRF-TOKEN': decodeURIComponent(token), 'Content-Type': 'application/json',
                              Accept: 'application/json'},
                    body: arguments[0] === 'GET' ? undefined
                        : JSON.stringify({vm: arguments[2], target: 'vdb', size: '+1M', reason: 'forged'})})
                  .then(r => done(r.status), e => done(-1));
                """, method, path, vm);
        return ((Number) status).longValue();
    }

    void scrollTo(WebElement element) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'start'})", element);
    }

    static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        return object::fields;
    }

    static List<String> iterableValues(JsonNode array, String field) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(node -> values.add(node.get(field).asText()));
        return values;
    }
}
