package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** The end-to-end check (the cookies a browser gets over HTTPS) is HttpsIT. */
class SecureCookiePostProcessorTest {

    @Test
    void overHttpsTheWebappsCsrfCookieIsSecure() {
        assertThat(csrfCookieSecure(new MockEnvironment().withProperty("server.ssl.bundle", "vdresize"))).isTrue();
        assertThat(csrfCookieSecure(new MockEnvironment().withProperty("server.ssl.key-store", "file:/etc/vdresize/vdresize.p12")))
                .isTrue();
    }

    @Test
    void overPlainHttpItStaysAsCamundaSetsIt() {
        // a Secure cookie is not sent back over plain HTTP: the webapps' login would fail
        assertThat(csrfCookieSecure(new MockEnvironment())).isFalse();
        assertThat(csrfCookieSecure(new MockEnvironment().withProperty("server.ssl.bundle", "vdresize")
                .withProperty("server.ssl.enabled", "false"))).isFalse();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(csrfCookieSecure(new MockEnvironment().withProperty("server.ssl.bundle", "vdresize")
                .withProperty(SecureCookiePostProcessor.CSRF_SECURE_COOKIE, "false"))).isFalse();
    }

    @Test
    void otherBeansAreLeftAlone() {
        Object other = new Object();
        assertThat(new SecureCookiePostProcessor(new MockEnvironment().withProperty("server.ssl.bundle", "vdresize"))
                .postProcessAfterInitialization(other, "other")).isSameAs(other);
    }

    private static boolean csrfCookieSecure(MockEnvironment environment) {
        CamundaBpmProperties properties = new CamundaBpmProperties();
        Object processed = new SecureCookiePostProcessor(environment).postProcessAfterInitialization(properties, "camundaBpmProperties");
        assertThat(processed).isSameAs(properties);
        return properties.getWebapp().getCsrf().isEnableSecureCookie();
    }
}
