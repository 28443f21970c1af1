package org.vdresize.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vdresize.e2e.DiskOracle.accepted;
import static org.vdresize.e2e.DiskOracle.awaitEnd;
import static org.vdresize.e2e.DiskOracle.json;
import static org.vdresize.testsupport.LibvirtFixture.MIB;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vdresize.testsupport.Cmd;
import org.vdresize.testsupport.LibvirtFixture;
import org.vdresize.testsupport.LibvirtFixture.Disk;
import org.vdresize.testsupport.TestFiles;

/**
 * vdresize serving its API and the Camunda webapps over HTTPS, configured exactly as the operator
 * guide says (an SSL bundle with a PKCS#12 keystore): the packaged jar, a keystore made by the JDK's
 * keytool at test time (self-signed, for localhost and 127.0.0.1), a real resize of a running VM's
 * disk over HTTPS by a client that trusts exactly that certificate, checked with virsh domblkinfo.
 */
class HttpsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String ALIAS = "vdresize";

    static LibvirtFixture lv;
    static Path work;
    static Certificate certificate;
    static SSLContext trustingOnlyIt;
    static AppJvm app;

    @BeforeAll
    static void environment() throws Exception {
        AppJvm.removeLeftovers(TestFiles::deleteRecursively);
        lv = LibvirtFixture.create();
        work = AppJvm.workFolder("https");
        String password = UUID.randomUUID().toString();
        Path keystore = selfSignedKeystore(work.resolve("vdresize.p12"), password);
        certificate = load(keystore, password).getCertificate(ALIAS);
        trustingOnlyIt = trusting(certificate);
        // the properties of docs/operator-guide.md, "HTTPS", in a file as it advises (the password
        // stays off the command line)
        Path properties = Files.writeString(work.resolve("https.properties"), String.join("\n",
                "spring.ssl.bundle.jks.vdresize.keystore.location=file:" + keystore,
                "spring.ssl.bundle.jks.vdresize.keystore.password=" + password,
                "spring.ssl.bundle.jks.vdresize.keystore.type=PKCS12",
                "server.ssl.bundle=vdresize", ""));
        app = AppJvm.startHttps(work, work.resolve("app.log"), trustingOnlyIt,
                "--spring.config.additional-location=file:" + properties);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (app != null) {
            app.close();
        }
        if (lv != null) {
            lv.close();
        }
        if (work != null) {
            Path reports = Files.createDirectories(Path.of("target/failsafe-reports"));
            if (Files.exists(work.resolve("app.log"))) {
                Files.copy(work.resolve("app.log"), reports.resolve("HttpsIT-app.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            TestFiles.deleteRecursively(work);
        }
    }

    @Test
    void aResizeOverHttpsCompletesAndTheDiskHasTheNewSize() {
        Path image = lv.createQcow2("tls.qcow2", 64 * MIB);
        String vm = lv.startVm("tls", Disk.virtio(image, "vdb"));
        ApiClient api = app.api();
        assertThat(app.baseUrl()).startsWith("https://127.0.0.1:");

        ApiClient.Response started = api.post("/api/resizes", json("{'vm':'%s','target':'vdb','size':'+16M'}", vm));

        assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
        assertThat(started.raw().uri().getScheme()).isEqualTo("https");
        assertThat(started.raw().sslSession()).hasValueSatisfying(session -> {
            try {
                assertThat(session.getPeerCertificates()[0]).as("the server presents the test's certificate").isEqualTo(certificate);
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                throw new AssertionError(e);
            }
        });
        JsonNode done = awaitEnd(api, started.body().get("id").asText(), "COMPLETED", TIMEOUT);
        assertThat(done.get("newSize").asLong()).isEqualTo(80 * MIB);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).as("virsh domblkinfo").isEqualTo(80 * MIB);
        assertThat(api.get("/api/resizes/" + done.get("id").asText()).status()).isEqualTo(200);

        // the same over the other name of the certificate
        ApiClient byName = new ApiClient("https://localhost:" + app.port(), trustingOnlyIt, "demo", "demo");
        String second = accepted(byName, json("{'vm':'%s','target':'vdb','size':'+16M'}", vm));
        awaitEnd(byName, second, "COMPLETED", TIMEOUT);
        assertThat(lv.domblkinfoCapacity(vm, "vdb")).isEqualTo(96 * MIB);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedAndPlainHttpGetsNothing() throws Exception {
        // the JDK's own trust store: public CAs, not this certificate
        HttpClient ordinary = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> ordinary.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        // nor does a client that trusts another certificate for the same names
        Path other = selfSignedKeystore(work.resolve("other.p12"), "other-password");
        HttpClient trustingAnother = HttpClient.newBuilder().sslContext(trusting(load(other, "other-password").getCertificate(ALIAS)))
                .connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> trustingAnother.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);

        // plain HTTP on the TLS port: Tomcat's 400, no data, no redirect
        HttpResponse<String> plain = ordinary.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(plain.body()).contains("requires TLS").doesNotContain("UP");
        assertThat(plain.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void theWebappsLogInOverHttpsWithSecureCookiesAndTheirCsrfToken() throws Exception {
        CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        HttpClient browser = HttpClient.newBuilder().sslContext(trustingOnlyIt).cookieHandler(cookies)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://localhost:" + app.port();

        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/default/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).containsIgnoringCase("camunda");
        assertThat(page.headers().firstValue("Strict-Transport-Security")).hasValueSatisfying(
                hsts -> assertThat(hsts).contains("max-age=31536000"));
        List<String> setCookies = page.headers().allValues("Set-Cookie");
        assertThat(setCookies).filteredOn(c -> c.startsWith("XSRF-TOKEN=")).singleElement()
                .satisfies(c -> assertThat(c).containsIgnoringCase("Secure"));
        assertThat(setCookies).filteredOn(c -> c.startsWith("JSESSIONID=")).singleElement()
                .satisfies(c -> assertThat(c).containsIgnoringCase("Secure").containsIgnoringCase("HttpOnly"));

        HttpRequest.Builder login = HttpRequest.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/default/login/tasklist"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=demo&password=" + URLEncoder.encode("demo", StandardCharsets.UTF_8)));
        HttpResponse<String> withoutToken = browser.send(login.copy().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withoutToken.statusCode()).as("the webapps' CSRF check still applies").isEqualTo(403);

        // the refused POST ended that session: a fresh page, a fresh token, as the browser's page does
        browser.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/default/")).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> loggedIn = browser.send(login.copy().header("X-XSRF-TOKEN", xsrfToken(cookies)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(loggedIn.statusCode()).as(loggedIn.body()).isEqualTo(200);
        assertThat(loggedIn.body()).contains("\"userId\":\"demo\"");

        HttpResponse<String> count = browser.send(HttpRequest.newBuilder(
                URI.create(base + "/camunda/api/engine/engine/default/process-definition/count")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(count.body()).contains("\"count\"");
        HttpResponse<String> logout = browser.send(HttpRequest.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/default/logout"))
                .header("X-XSRF-TOKEN", xsrfToken(cookies)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(200);
    }

    /** What the webapps' JavaScript sends as X-XSRF-TOKEN: the cookie's current value. */
    private static String xsrfToken(CookieManager cookies) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue).reduce((first, last) -> last).orElseThrow();
    }

    /** keytool -genkeypair, as an operator would for a test installation. */
    private static Path selfSignedKeystore(Path file, String password) {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Cmd.run(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", password, "-keypass", password);
        return file;
    }

    private static KeyStore load(Path keystore, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    /** An SSL context whose only trusted certificate is this one (not a trust-all manager). */
    private static SSLContext trusting(Certificate trusted) throws IOException, GeneralSecurityException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry(ALIAS, trusted);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
