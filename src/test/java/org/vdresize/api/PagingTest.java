package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.filter.ForwardedHeaderFilter;

/** The Link of the next page behind a reverse proxy (docs/operator-guide.md, "Behind a reverse proxy"). */
class PagingTest {

    private static final Map<String, String> FILTERS = new LinkedHashMap<>();

    static {
        FILTERS.put("status", "COMPLETED");
        FILTERS.put("disk", null);
        FILTERS.put("vm", "web 1");
    }

    @Test
    void theLinkIsThePathOfTheRequestWithoutSchemeOrHostWhateverTheHostHeaderSays() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/resizes");
        request.addHeader("Host", "evil.example");
        request.addHeader("X-Forwarded-Host", "evil.example");

        assertThat(Paging.nextUri(request, FILTERS, 100, "abc"))
                .isEqualTo("/api/resizes?status=COMPLETED&vm=web%201&limit=100&cursor=abc");
    }

    @Test
    void withServerForwardHeadersStrategyFrameworkTheProxysPrefixIsKept() throws Exception {
        // what server.forward-headers-strategy=framework installs in front of every request
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/resizes");
        request.addHeader("X-Forwarded-Prefix", "/vdresize");
        request.addHeader("X-Forwarded-Host", "ops.example.com");
        request.addHeader("X-Forwarded-Proto", "https");
        AtomicReference<HttpServletRequest> seen = new AtomicReference<>();
        new ForwardedHeaderFilter().doFilter(request, new MockHttpServletResponse(),
                (req, res) -> seen.set((HttpServletRequest) req));

        assertThat(Paging.nextUri(seen.get(), FILTERS, 10, "abc"))
                .isEqualTo("/vdresize/api/resizes?status=COMPLETED&vm=web%201&limit=10&cursor=abc");
    }

    @Test
    void cursorsReadBackOnlyOnTheirOwnList() {
        String cursor = Paging.encode("resizes", "2026-01-01T00:00:00Z", "id/with\nodd, chars");
        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        assertThat(Paging.decode("resizes", 2, cursor)).containsExactly("2026-01-01T00:00:00Z", "id/with\nodd, chars");
        assertThat(Paging.decode("resizes", 2, null)).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Paging.decode("disks", 1, cursor))
                .isInstanceOf(org.vdresize.resize.ResizeRejectedException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Paging.decode("resizes", 2, "x".repeat(20_000)))
                .isInstanceOf(org.vdresize.resize.ResizeRejectedException.class);
    }
}
