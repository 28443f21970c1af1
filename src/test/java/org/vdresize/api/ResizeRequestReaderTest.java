package org.vdresize.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.server.ResponseStatusException;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;

class ResizeRequestReaderTest {

    private final ResizeRequestReader reader = new ResizeRequestReader(new ObjectMapper());

    /** A chunked request: no Content-Length, so only the bounded read stops it. */
    private static MockHttpServletRequest chunked(String body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/resizes") {
            @Override
            public long getContentLengthLong() {
                return -1;
            }
        };
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }

    private static String paddedTo(int bytes) {
        String json = "{\"path\": \"/d\", \"size\": \"1G\"}";
        return json + " ".repeat(bytes - json.length());
    }

    @Test
    void exactly64KiBIsRead() throws Exception {
        assertThat(reader.read(chunked(paddedTo(64 * 1024))).path()).isEqualTo("/d");
    }

    @Test
    void oneByteMoreIsTooLargeEvenWithoutContentLength() {
        assertThatThrownBy(() -> reader.read(chunked(paddedTo(64 * 1024 + 1))))
                .isInstanceOfSatisfying(ResponseStatusException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE));
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeReading() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/resizes") {
            @Override
            public long getContentLengthLong() {
                return 10L * 1024 * 1024 * 1024;
            }
        };
        request.setContent(new byte[0]);
        assertThatThrownBy(() -> reader.read(request)).isInstanceOf(ResponseStatusException.class);
    }

    @Test
    void jsonNumbersWithExponentsStayExactAndHugeOnesAreInvalidSizes() {
        assertThat(reader.parse("{\"path\": \"/d\", \"size\": 1e3}".getBytes()).size()).isEqualTo(1000L);
        assertThat(reader.parse("{\"path\": \"/d\", \"size\": 1073741824.0}".getBytes()).size()).isEqualTo(1073741824L);
        assertThatThrownBy(() -> reader.parse("{\"path\": \"/d\", \"size\": 1e999999}".getBytes()))
                .isInstanceOfSatisfying(ResizeRejectedException.class,
                        e -> assertThat(e.code()).isEqualTo(RejectionCode.INVALID_SIZE));
        // 2^53 + 1 as a float literal: a double would round it down to 2^53 and accept it
        assertThatThrownBy(() -> reader.parse("{\"path\": \"/d\", \"size\": 9007199254740993.0}".getBytes()))
                .isInstanceOf(ResizeRejectedException.class);
        assertThat(new BigDecimal("9007199254740993.0").doubleValue()).isEqualTo(9007199254740992.0);
    }

    @Test
    void longUnknownFieldNamesAreShortenedInTheMessage() {
        String name = "x".repeat(5000);
        assertThatThrownBy(() -> reader.parse(("{\"path\": \"/d\", \"size\": \"1G\", \"" + name + "\": 1}").getBytes()))
                .hasMessageContaining("xxx...")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    }
}
