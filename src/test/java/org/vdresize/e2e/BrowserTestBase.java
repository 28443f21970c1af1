package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the browser ITs share: the application on a random port under an engine name of its own,
 * Debian's headless chromium driven by Debian's chromedriver, the webapps' login, pictures in
 * {@code target/screenshots/} (or, with {@code -Dvdresize.screenshots=docs/images}, the
 * documentation's), and when a test fails, where the browser was: a picture, the page and its
 * console in {@code target/browser-failure/<test class>/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserTestBase {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final Duration uiWait;

    /**
     * The webapps and engine-rest find their engine by the name in their URL in Camunda's static
     * {@link ProcessEngines} map, where an engine of the same name registered later replaces an
     * earlier one. The other ITs' engines are all called "default" and their contexts stay alive in
     * this JVM, so with that name this test's Tasklist could end up talking to another test's engine.
     * It is "vdresize" (what the webapps' header shows in the pictures of docs/), or a unique name if
     * that is taken too.
     */
    @DynamicPropertySource
    static void engineName(DynamicPropertyRegistry properties) {
        boolean taken = ProcessEngines.getProcessEngines().containsKey("vdresize");
        properties.add("camunda.bpm.process-engine-name", () -> taken ? "vdresize" + System.nanoTime() : "vdresize");
    }

    @LocalServerPort int port;
    @Autowired ProcessEngine engine;

    ChromeDriver browser;
    WebDriverWait wait;
    Path screenshots;
    long started;

    @RegisterExtension
    final TestExecutionExceptionHandler diagnosis = (context, failure) -> {
        diagnose();
        throw failure;
    };

    /** @param uiWait how long a page may take to show what a step waits for */
    BrowserTestBase(Duration uiWait) {
        this.uiWait = uiWait;
    }

    @BeforeAll
    void startBrowser() throws IOException {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertThat(new File(binary).canExecute()).as(binary + " is missing: run scripts/setup-host.sh --tests "
                    + "(apt-get install chromium chromium-driver)").isTrue();
        }
        String target = System.getProperty("vdresize.screenshots");
        screenshots = Path.of(target == null || target.isBlank() ? "target/screenshots" : target);
        Files.createDirectories(screenshots);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // the page's console, for diagnose()
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory("vdr-it-chromium-"), "--window-size=1680,1250");
        // Debian's chromedriver, never one that Selenium Manager would try to download
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1680, 1250));
        wait = new WebDriverWait(browser, uiWait);
        started = System.nanoTime();
    }

    @AfterAll
    void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** Where the browser was when a step failed: a picture, the page and its console. */
    void diagnose() {
        try {
            Path dir = Files.createDirectories(Path.of("target/browser-failure", getClass().getSimpleName()));
            Files.write(dir.resolve("page.png"), browser.getScreenshotAs(OutputType.BYTES));
            Files.writeString(dir.resolve("page.html"), browser.getCurrentUrl() + "\n" + browser.getPageSource());
            Files.write(dir.resolve("console.log"), browser.manage().logs().get(LogType.BROWSER)
                    .getAll().stream().map(Object::toString).toList());
            log.warn("failed at {}: picture, page and console in {}", browser.getCurrentUrl(), dir.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            log.warn("no diagnosis: {}", e.toString());
        }
    }

    /** A fresh session (no cookies) and the webapp's login form; the demo users' password is their name. */
    void logIn(String webapp, String user) {
        browser.manage().deleteAllCookies();
        open("/camunda/app/" + webapp + "/" + engine.getName() + "/");
        visible(By.cssSelector("input[ng-model=username]")).sendKeys(user);
        visible(By.cssSelector("input[ng-model=password]")).sendKeys(user + Keys.ENTER);
        visible(By.xpath("//a[contains(normalize-space(.),'" + displayName(user) + "')]"));
    }

    static String displayName(String user) {
        return switch (user) {
            case "operator" -> "Olga Operator";
            case "approver" -> "Arno Approver";
            case "auditor" -> "Ada Auditor";
            default -> "Demo User";
        };
    }

    void open(String path) {
        browser.get("http://localhost:" + port + path);
    }

    WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void screenshot(String name) {
        sleep(400);  // let fades and the page's own rendering settle
        try {
            Files.write(screenshots.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void step(String what) {
        log.info("{} s: {}", (System.nanoTime() - started) / 1_000_000_000, what);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
