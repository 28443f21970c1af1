package org.vdresize.config;

import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.Ssl;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * When vdresize serves HTTPS itself ({@code server.ssl}: an SSL bundle or a key store), the webapps'
 * CSRF cookie ({@code XSRF-TOKEN}) is marked {@code Secure}, like the session cookie that Tomcat
 * already marks on a secure request. Camunda leaves it without {@code Secure} unless
 * {@value #CSRF_SECURE_COOKIE} says so, and browsers send cookies to every port of a host, also over
 * plain HTTP. An explicit {@value #CSRF_SECURE_COOKIE} wins.
 */
@Component
class SecureCookiePostProcessor implements BeanPostProcessor {

    static final String CSRF_SECURE_COOKIE = "camunda.bpm.webapp.csrf.enable-secure-cookie";

    private final Environment environment;

    SecureCookiePostProcessor(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        // after initialization: the properties are bound by then
        if (bean instanceof CamundaBpmProperties camunda && servesHttps(environment) && !setExplicitly(environment)) {
            camunda.getWebapp().getCsrf().setEnableSecureCookie(true);
        }
        return bean;
    }

    /** The same test as Spring Boot's: {@code server.ssl} is configured and not {@code enabled=false}. */
    static boolean servesHttps(Environment environment) {
        return Ssl.isEnabled(Binder.get(environment).bind("server.ssl", Ssl.class).orElse(null));
    }

    private static boolean setExplicitly(Environment environment) {
        return Binder.get(environment).bind(CSRF_SECURE_COOKIE, Boolean.class).isBound();
    }
}
