package org.vdresize.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.session.NullAuthenticatedSessionStrategy;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.vdresize.api.ProblemAccessDeniedHandler;
import org.vdresize.api.ProblemAuthenticationEntryPoint;

/**
 * Who may call what over HTTP.
 * <ul>
 * <li>{@code /api/**}: HTTP Basic against the Camunda identity service, stateless, no CSRF (no
 * cookies, so nothing for a forged cross-site request to ride on); errors as problem+json. Reads
 * ({@code GET}/{@code HEAD}) also with a Camunda webapp session and its CSRF token, for the Cockpit
 * plugin ({@link WebappSessionAuthenticationFilter}); a session never authenticates a write. Then
 * the {@link Roles}: reads ({@code GET}/{@code HEAD}) for all four groups, except
 * {@code /api/audit/verify} (auditors and administrators), {@code POST /api/resizes}
 * for operators and administrators, watches: created and deleted by operators and administrators,
 * read by them and auditors (not approvers), anything else for administrators only; a user outside the
 * groups gets 403 {@code FORBIDDEN} for everything.</li>
 * <li>everything else passes through Spring Security untouched: the Camunda webapps
 * ({@code /camunda/**}) have their own session login and CSRF filter, {@code /engine-rest/**} is
 * guarded by Camunda's filter ({@link EngineRestSecurityConfiguration}).</li>
 * <li>the actuator: {@code /actuator/health} answers anyone, with its components for the vdresize
 * roles only; the other endpoints need a vdresize role (docs/operator-guide.md, "Metrics and
 * health").</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ApiSecurityConfiguration {

    public static final String REALM = "vdresize";

    /** The four vdresize groups: whoever is in one may read health details and metrics. */
    static final String[] ALL_ROLES = {Roles.OPERATORS, Roles.APPROVERS, Roles.AUDITORS, Roles.ADMINS};

    /** The webapps' REST resources when camunda.bpm.webapp.application-path is the root. */
    private static final String[] WEBAPP_API_PATHS = {"/api/admin/**", "/api/cockpit/**", "/api/tasklist/**",
            "/api/engine/**", "/api/welcome/**"};

    /** A bean (not only a local object) so that Boot does not add its generated in-memory user. */
    @Bean
    CamundaIdentityAuthenticationProvider camundaIdentityAuthenticationProvider(IdentityService identityService,
            @Value("${vdresize.security.login-cache:PT10S}") java.time.Duration loginCache) {
        return new CamundaIdentityAuthenticationProvider(identityService, loginCache, System::nanoTime);
    }

    @Bean
    ProblemAccessDeniedHandler problemAccessDeniedHandler(ObjectMapper objectMapper) {
        return new ProblemAccessDeniedHandler(objectMapper);
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurityFilterChain(HttpSecurity http, IdentityService identityService,
                                               CamundaIdentityAuthenticationProvider authenticationProvider,
                                               ProblemAccessDeniedHandler accessDeniedHandler, ObjectMapper objectMapper,
                                               @Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath,
                                               @Value("${camunda.bpm.process-engine-name:default}") String engineName,
                                               ObjectProvider<ProcessEngine> engine)
            throws Exception {
        // the engine's real name (it may be generated); the property where there is no engine (web slice tests)
        Supplier<String> engineNameNow = () -> {
            ProcessEngine running = engine.getIfAvailable();
            return running != null ? running.getName() : engineName;
        };
        ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint(objectMapper, REALM);
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return http
                .securityMatcher(apiMatcher(webappPath))
                // exactly this provider and no parent: a parent manager holding the same provider bean
                // would check a wrong password twice and double Camunda's lockout count
                .authenticationManager(new ProviderManager(authenticationProvider))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(paths.matcher(HttpMethod.POST, "/api/resizes"))
                        .hasAnyAuthority(authorities(Roles.OPERATORS, Roles.ADMINS))
                        // watches: operators set them up and stop them, auditors read them
                        .requestMatchers(paths.matcher(HttpMethod.POST, "/api/watches"),
                                paths.matcher(HttpMethod.DELETE, "/api/watches/*"))
                        .hasAnyAuthority(authorities(Roles.OPERATORS, Roles.ADMINS))
                        .requestMatchers(paths.matcher(HttpMethod.GET, "/api/watches"),
                                paths.matcher(HttpMethod.GET, "/api/watches/*"),
                                paths.matcher(HttpMethod.HEAD, "/api/watches"),
                                paths.matcher(HttpMethod.HEAD, "/api/watches/*"))
                        .hasAnyAuthority(authorities(Roles.OPERATORS, Roles.AUDITORS, Roles.ADMINS))
                        // reads the whole trail: only for those who check it
                        .requestMatchers(paths.matcher(HttpMethod.GET, "/api/audit/verify"),
                                paths.matcher(HttpMethod.HEAD, "/api/audit/verify"))
                        .hasAnyAuthority(authorities(Roles.AUDITORS, Roles.ADMINS))
                        .requestMatchers(paths.matcher(HttpMethod.GET, "/api/**"), paths.matcher(HttpMethod.HEAD, "/api/**"))
                        .hasAnyAuthority(authorities(Roles.OPERATORS, Roles.APPROVERS, Roles.AUDITORS, Roles.ADMINS))
                        // unknown methods and paths: administrators still get the honest 404/405
                        .anyRequest().hasAnyAuthority(authorities(Roles.ADMINS)))
                .httpBasic(basic -> basic.realmName(REALM).authenticationEntryPoint(entryPoint))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(accessDeniedHandler))
                // and never a new session id: Spring's session-fixation defence would give the webapps'
                // session a new id at each read, and Cockpit's requests still carrying the old one log out
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS)
                        .sessionAuthenticationStrategy(new NullAuthenticatedSessionStrategy()))
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .addFilterBefore(new WebappSessionAuthenticationFilter(identityService, engineNameNow),
                        BasicAuthenticationFilter.class)
                .addFilterAfter(new CamundaAuthenticationContextFilter(identityService), AuthorizationFilter.class)
                .build();
    }

    /**
     * The actuator, on the main port or on {@code management.server.port}: health for anyone, but
     * its components and details (hosts, database, paths, engine) only for the vdresize roles
     * ({@code management.endpoint.health.roles}); everything else (Prometheus, info) needs a vdresize
     * role. Credentials are checked as for /api, by the same single provider, so a wrong password is
     * a 401 that counts once towards Camunda's lockout, never a quiet fallback to the anonymous view.
     */
    @Bean
    @Order(2)
    SecurityFilterChain actuatorSecurityFilterChain(HttpSecurity http,
                                                    CamundaIdentityAuthenticationProvider authenticationProvider,
                                                    ProblemAccessDeniedHandler accessDeniedHandler,
                                                    ObjectMapper objectMapper) throws Exception {
        ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint(objectMapper, REALM);
        return http
                .securityMatcher(EndpointRequest.toAnyEndpoint())
                .authenticationManager(new ProviderManager(authenticationProvider))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(EndpointRequest.to(HealthEndpoint.class)).permitAll()
                        .anyRequest().hasAnyAuthority(authorities(ALL_ROLES)))
                .httpBasic(basic -> basic.realmName(REALM).authenticationEntryPoint(entryPoint))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(accessDeniedHandler))
                // as for /api: a browser's webapp session keeps its id
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS)
                        .sessionAuthenticationStrategy(new NullAuthenticatedSessionStrategy()))
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain defaultSecurityFilterChain(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                // the webapps send their own X-XSRF-TOKEN; a second CSRF check would refuse their logins
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .headers(headers -> headers.frameOptions(frame -> frame.sameOrigin()))
                .build();
    }

    /** The authorities {@link CamundaIdentityAuthenticationProvider} gives members of these groups. */
    static String[] authorities(String... groups) {
        return Arrays.stream(groups).map(g -> CamundaIdentityAuthenticationProvider.GROUP_AUTHORITY_PREFIX + g)
                .toArray(String[]::new);
    }

    static RequestMatcher apiMatcher(String webappPath) {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        RequestMatcher api = paths.matcher("/api/**");
        String normalised = webappPath == null ? "" : webappPath.strip();
        if (!normalised.isEmpty() && !normalised.equals("/")) {
            return api;
        }
        // webapps at the root share /api: leave their resources to their own login
        RequestMatcher[] webapp = Arrays.stream(WEBAPP_API_PATHS).map(paths::matcher).toArray(RequestMatcher[]::new);
        return new AndRequestMatcher(api, new NegatedRequestMatcher(new OrRequestMatcher(webapp)));
    }
}
