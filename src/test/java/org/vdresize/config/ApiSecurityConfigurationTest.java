package org.vdresize.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.util.matcher.RequestMatcher;

class ApiSecurityConfigurationTest {

    @ParameterizedTest(name = "webapps at \"{0}\": {1} guarded={2}")
    @CsvSource({
            "/camunda, /api/disks, true",
            "/camunda, /api, true",
            "/camunda, /api/admin/auth/user/default, true",
            "/camunda, /camunda/api/admin/auth/user/default, false",
            "/camunda, /engine-rest/process-definition, false",
            "/camunda, /actuator/health, false",
            "/camunda, /apis, false",
            "/, /api/disks, true",
            "/, /api/resizes/1, true",
            "/, /api/admin/auth/user/default, false",
            "/, /api/cockpit/plugin/x, false",
            "/, /api/tasklist/task, false",
            "/, /api/engine/engine/default/user, false",
            "/, /api/welcome/default, false",
            "'', /api/engine/engine, false",
    })
    void theApiGuardLeavesTheWebappsResourcesAlone(String webappPath, String path, boolean guarded) {
        RequestMatcher matcher = ApiSecurityConfiguration.apiMatcher(webappPath);
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        assertThat(matcher.matches(request)).isEqualTo(guarded);
    }
}
