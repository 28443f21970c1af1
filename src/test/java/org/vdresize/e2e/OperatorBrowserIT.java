package org.vdresize.e2e;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.vdresize.config.Roles;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;

/**
 * What the roles do, in a real browser (Debian's headless chromium through chromedriver), each
 * logged in as its demo user: the operator grows a running VM's disk through Tasklist's start form
 * and starts a second, large resize that waits for approval; the auditor finds it in Cockpit (the
 * instance waiting at "Approve resize"); the approver approves it in Tasklist with the approval
 * form; the auditor sees in Cockpit that nothing runs any more.
 * The application runs in this JVM against the real libvirtd; the disk is a qcow2 of a running
 * no-OS QEMU domain of {@link LibvirtFixture}, and {@code virsh domblkinfo} is the oracle.
 *
 * <p>Screenshots of each step go to {@code target/screenshots/}, or, with
 * {@code -Dvdresize.screenshots=docs/images}, replace the documentation's pictures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:browser;DB_CLOSE_DELAY=-1",
        "vdresize.demo.create-user=true",  // the demo users (password = name), as scripts/run.sh
        "vdresize.hosts[0].name=local", "vdresize.hosts[0].uri=qemu:///system",
        // 64 MiB: +16M runs at once, +128M waits for a disk approver
        "vdresize.approval.growth-bytes=67108864",
        "camunda.bpm.generate-unique-process-application-name=true"})
class OperatorBrowserIT extends BrowserTestBase {

    static final Duration UI_WAIT = Duration.ofSeconds(60);
    static final Duration RESIZE_WAIT = Duration.ofSeconds(90);

    LibvirtFixture lv;
    Path image;
    String vm;
    ApiClient api;

    OperatorBrowserIT() {
        super(UI_WAIT);
    }

    @BeforeAll
    void setUp() throws IOException {
        lv = LibvirtFixture.create();
        image = lv.createQcow2("operator.qcow2", 64 * MIB);
        vm = lv.startVm("operator", Disk.virtio(image, "vdb"));
        api = new ApiClient(port, "auditor", "auditor");  // reads only
    }

    @AfterAll
    void tearDown() {
        if (lv != null) {
            lv.close();
        }
    }

    @Test
    void anOperatorGrowsADiskAnApproverApprovesALargeGrowthAndAnAuditorFollowsItInCockpit() {
        // 1. Tasklist as the operator (the webapp's own login form; the page sends the XSRF token itself)
        logIn("tasklist", "operator");
        visible(By.xpath("//a[contains(normalize-space(.),'Start process')]"));
        visible(filter(Roles.TASK_FILTER_NAME));
        step("operator logged in to Tasklist");

        // 2. a small growth through the start form: no approval, the disk grows at once
        startForm("+16M", "more room for the logs", null);
        JsonNode first = awaitResizes(1).get(0);
        JsonNode done = api.awaitEnd(first.get("id").asText(), RESIZE_WAIT);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("requestedBy").asText()).isEqualTo("operator");
        assertThat(done.get("reason").asText()).isEqualTo("more room for the logs");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(80 * MIB);
        step("resize 1 (+16M) COMPLETED; virsh domblkinfo: 80 MiB");

        // 3. a large growth: the process waits for a disk approver
        startForm("+128M", "the database moves to this disk", "tasklist-start-form.png");
        JsonNode second = awaitResizes(2).get(0);
        String id = second.get("id").asText();
        JsonNode waiting = awaitStatus(id, "WAITING_FOR_APPROVAL");
        assertThat(waiting.get("status").asText()).as(waiting.toString()).isEqualTo("WAITING_FOR_APPROVAL");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).as("nothing grows before the approval").isEqualTo(80 * MIB);
        step("resize 2 (+128M) WAITING_FOR_APPROVAL");

        // 4. Cockpit as the auditor (read-only): the running instance, by its id and the disk path as business key
        logIn("cockpit", "auditor");
        open("/camunda/app/cockpit/" + engine.getName() + "/#/processes");
        click(By.xpath("//a[normalize-space(.)='Virtual disk resize']"));
        WebElement row = visible(By.xpath("//tr[.//a[normalize-space(.)='" + id + "']]"));
        assertThat(row.getText()).contains(image.toString());
        assertThat(tokensOnTheDiagram()).containsExactly("UserTask_ApproveResize");
        screenshot("cockpit-process.png");
        click(By.xpath("//a[normalize-space(.)='" + id + "']"));
        visible(By.xpath("//*[normalize-space(.)='Business Key:']"));
        assertThat(tokensOnTheDiagram()).containsExactly("UserTask_ApproveResize");
        screenshot("cockpit-instance.png");
        step("Cockpit shows the instance waiting at Approve resize");

        // 5. Tasklist as the approver: the approval task in the filter; claim, approve, complete
        logIn("tasklist", "approver");
        click(filter(Roles.TASK_FILTER_NAME));
        click(By.xpath("//*[contains(@class,'tasks-list')]//*[normalize-space(text())='Approve resize']"));
        WebElement disk = visible(By.cssSelector("input[id$='-Field_diskPath']"));
        wait.until(d -> image.toString().equals(disk.getDomProperty("value")));
        click(By.xpath("//*[self::a or self::button][normalize-space(.)='Claim']"));
        WebElement approve = visible(By.cssSelector("input[id$='-Field_approved-0']"));
        wait.until(ExpectedConditions.elementToBeClickable(approve));
        scrollTo(approve);
        approve.click();
        visible(By.cssSelector("textarea[id$='-Field_approvalComment']")).sendKeys("the pool has room");
        screenshot("tasklist-approval.png");
        click(By.xpath("//button[normalize-space(.)='Complete']"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(
                By.xpath("//*[contains(@class,'tasks-list')]//*[normalize-space(text())='Approve resize']")));
        step("approved in Tasklist");

        JsonNode approved = api.awaitEnd(id, RESIZE_WAIT);
        assertThat(approved.get("status").asText()).as(approved.toString()).isEqualTo("COMPLETED");
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(208 * MIB);
        JsonNode audit = api.get("/api/audit?disk=" + java.net.URLEncoder.encode(image.toString(),
                java.nio.charset.StandardCharsets.UTF_8)).body();
        JsonNode approval = StreamSupport.stream(audit.spliterator(), false)
                .filter(e -> "RESIZE_APPROVED".equals(e.get("type").asText())).findFirst().orElseThrow();
        assertThat(approval.get("user").asText()).isEqualTo("approver");
        assertThat(approval.get("detail").asText()).contains("the pool has room");
        step("resize 2 COMPLETED; virsh domblkinfo: 208 MiB");

        // 6. Cockpit (Community Edition) shows running instances only: both have ended
        logIn("cockpit", "auditor");
        open("/camunda/app/cockpit/" + engine.getName() + "/#/processes");
        click(By.xpath("//a[normalize-space(.)='Virtual disk resize']"));
        visible(By.xpath("//*[contains(normalize-space(.),'No process instances matched')]"));
        assertThat(browser.findElements(By.xpath("//a[normalize-space(.)='" + id + "']"))).isEmpty();
        open("/camunda/app/cockpit/" + engine.getName() + "/#/dashboard");
        visible(By.xpath("//*[normalize-space(.)='Running Process Instances']"));
        screenshot("cockpit-dashboard.png");
        step("Cockpit: no running instance left");

        // 7. the business metrics of the two resizes
        String metrics = scrape();
        assertThat(metrics).containsPattern("vdresize_resizes_total\\{outcome=\"COMPLETED\"} 2(\\.0)?\\n")
                .containsPattern("vdresize_resize_duration_seconds_count\\{outcome=\"COMPLETED\"} 2(\\.0)?\\n");
        step("done; /actuator/prometheus counts 2 completed resizes");

        // 8. a watch is a process instance of its own in Cockpit (a no-OS VM has no guest agent: NO_AGENT)
        ApiClient operator = new ApiClient(port, "operator", "operator");
        String watched = lv.startVm("watched", Disk.virtio(lv.createQcow2("watched.qcow2", 32 * MIB), "vdb")
                .withSerial("vdr-op-watched"));
        JsonNode watch = operator.post("/api/watches", "{\"vm\":\"" + watched + "\",\"target\":\"vdb\",\"maxSize\":\"1G\","
                + "\"interval\":\"PT1M\"}").body();
        String watchId = watch.path("id").asText();
        assertThat(watchId).as(watch.toString()).isNotBlank();
        org.awaitility.Awaitility.await().atMost(RESIZE_WAIT).until(() -> "NO_AGENT".equals(
                operator.get("/api/watches/" + watchId).body().path("status").asText()));
        logIn("cockpit", "auditor");
        // the watch's id is its instance's business key
        String instance = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(watchId)
                .singleResult().getId();
        open("/camunda/app/cockpit/" + engine.getName() + "/#/process-instance/" + instance + "/runtime");
        visible(By.xpath("//*[normalize-space(.)='Business Key:']"));
        assertThat(tokensOnTheDiagram()).as("the watch waits in its loop").isNotEmpty();
        screenshot("cockpit-watch.png");
        assertThat(operator.delete("/api/watches/" + watchId).status()).isEqualTo(204);
        step("Cockpit shows the watch " + watchId + " in its loop at " + tokensOnTheDiagram());
    }

    // ---- steps ----------------------------------------------------------------------------------

    /** Opens Tasklist's start form of the resize process, fills it for the fixture's disk and starts it. */
    void startForm(String size, String reason, String screenshot) {
        open("/camunda/app/tasklist/" + engine.getName() + "/");
        click(By.xpath("//a[contains(normalize-space(.),'Start process')]"));
        click(By.xpath("//div[contains(@class,'modal-content')]//a[contains(normalize-space(.),'Virtual disk resize')]"));
        visible(By.cssSelector("input[id$='-Field_vm']")).sendKeys(vm);
        visible(By.cssSelector("input[id$='-Field_target']")).sendKeys("vdb");
        visible(By.cssSelector("input[id$='-Field_size']")).sendKeys(size);
        visible(By.cssSelector("textarea[id$='-Field_reason']")).sendKeys(reason);
        if (screenshot != null) {
            screenshot(screenshot);
        }
        click(By.xpath("//div[contains(@class,'modal-footer')]//button[normalize-space(.)='Start']"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".modal-content")));
    }

    /** The resizes of the fixture's disk, newest first, once there are {@code count} of them. */
    JsonNode awaitResizes(int count) {
        String path = "/api/resizes?disk=" + java.net.URLEncoder.encode(image.toString(), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode list = await().pollInSameThread().atMost(RESIZE_WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get(path).body(), l -> l.size() >= count);
        assertThat(list.size()).as(list.toString()).isEqualTo(count);
        return list;
    }

    JsonNode awaitStatus(String id, String status) {
        return await().pollInSameThread().atMost(RESIZE_WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/api/resizes/" + id).body(), resize -> status.equals(resize.path("status").asText())
                        || ApiClient.END_STATES.contains(resize.path("status").asText()));
    }

    /** As Prometheus scrapes: with the credentials of a user in a vdresize role (basic_auth). */
    String scrape() {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + port + "/actuator/prometheus"))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                            "auditor:auditor".getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the browser ----------------------------------------------------------------------------

    /** The diagram elements on which Cockpit shows a running-instance badge (bpmn-js overlays). */
    List<String> tokensOnTheDiagram() {
        By badges = By.cssSelector("div.djs-overlays span.badge.instance-count");
        wait.until(d -> d.findElements(badges).stream().anyMatch(b -> !b.getText().isBlank()));
        return browser.findElements(badges).stream().filter(b -> !b.getText().isBlank())
                .map(b -> b.findElement(By.xpath("ancestor::div[contains(@class,'djs-overlays')]"))
                        .getDomAttribute("data-container-id"))
                .toList();
    }

    By filter(String name) {
        return By.xpath("//*[contains(@class,'task-filters')]//*[self::a or self::h4 or self::span]"
                + "[starts-with(normalize-space(.),'" + name + "')]");
    }

    void click(By by) {
        WebElement element = wait.until(ExpectedConditions.elementToBeClickable(by));
        scrollTo(element);
        element.click();
    }

    void scrollTo(WebElement element) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
    }
}
