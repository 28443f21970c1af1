package org.vdresize.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * /engine-rest has no authentication of its own (Camunda's default). Camunda's filter with HTTP
 * Basic checks the identity service and sets the engine's authentication for the request, like
 * our /api does. {@code GET /engine-rest/engine} (the engine list) stays open by Camunda's design.
 */
@Configuration(proxyBeanMethods = false)
public class EngineRestSecurityConfiguration {

    @Bean
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthenticationFilter(
            @Value("${spring.jersey.application-path:/engine-rest}") String restPath) {
        String prefix = restPath.endsWith("/") ? restPath.substring(0, restPath.length() - 1) : restPath;
        FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
        registration.setName("engineRestAuthenticationFilter");
        registration.setOrder(Ordered.LOWEST_PRECEDENCE - 1); // before engineStartFilter
        registration.addUrlPatterns(prefix + "/*");
        registration.addInitParameter(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
                HttpBasicAuthenticationProvider.class.getName());
        // the filter strips this prefix to find the engine name; without it it relies on the servlet path
        registration.addInitParameter(ProcessEngineAuthenticationFilter.SERVLET_PATH_PREFIX, prefix);
        return registration;
    }

    /**
     * Process starts through /engine-rest and through the webapps' engine API (Tasklist's start
     * form) get the same envelope check; see {@link EngineStartFilter}.
     */
    @Bean
    FilterRegistrationBean<EngineStartFilter> engineStartFilter(ObjectMapper json,
            @Value("${spring.jersey.application-path:/engine-rest}") String restPath,
            @Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath) {
        FilterRegistrationBean<EngineStartFilter> registration = new FilterRegistrationBean<>(new EngineStartFilter(json));
        registration.setName("engineStartFilter");
        registration.addUrlPatterns(strip(restPath) + "/*", strip(webappPath) + "/api/engine/*");
        // after engine-rest's authentication: a caller without valid credentials hears 401 first
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }

    private static String strip(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
