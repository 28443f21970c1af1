package org.vdresize.config;

import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * /engine-rest has no authentication of its own (camunda-here.md). Camunda's filter with HTTP
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
        registration.addUrlPatterns(prefix + "/*");
        registration.addInitParameter(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
                HttpBasicAuthenticationProvider.class.getName());
        // the filter strips this prefix to find the engine name; without it it relies on the servlet path
        registration.addInitParameter(ProcessEngineAuthenticationFilter.SERVLET_PATH_PREFIX, prefix);
        return registration;
    }
}
