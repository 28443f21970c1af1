package org.vdresize.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;

class WatchFieldsTest {

    private static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static RejectionCode code(Map<String, Object> fields) {
        try {
            WatchFields.read(fields);
        } catch (ResizeRejectedException e) {
            return e.code();
        }
        throw new AssertionError("accepted: " + fields);
    }

    @Test
    void theDefaultsAreAutoEveryFiveMinutesOnEveryFilesystem() {
        WatchRequest r = WatchFields.read(fields("vm", "vm1", "target", "vdb", "maxSize", "50G"));
        assertThat(r.maxSize()).isEqualTo(50L << 30);
        assertThat(r.mode()).isEqualTo(WatchMode.AUTO);
        assertThat(r.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(r.mountpoint()).isNull();
        WatchRequest p = WatchFields.read(fields("pool", "p", "volume", "v", "maxSize", 1L << 30, "mode", "observe",
                "interval", "PT30S", "mountpoint", "/srv"));
        assertThat(p.mode()).isEqualTo(WatchMode.OBSERVE);
        assertThat(p.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.mountpoint()).isEqualTo("/srv");
    }

    @Test
    void badFieldsGetTheResizeApisCodes() {
        assertThat(code(fields("vm", "vm1", "target", "vdb"))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "+5G"))).isEqualTo(RejectionCode.INVALID_SIZE);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "0"))).isEqualTo(RejectionCode.INVALID_SIZE);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "ten"))).isEqualTo(RejectionCode.INVALID_SIZE);
        assertThat(code(fields("vm", "vm1", "maxSize", "5G"))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "path", "/x", "maxSize", "5G")))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "5G", "size", "6G")))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "5G", "mode", "NEVER")))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "5G", "interval", "PT1S")))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "5G", "interval", "P2D")))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "5G", "interval", 300)))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", "vm1", "target", "vdb", "maxSize", "5G", "mountpoint", "srv")))
                .isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(code(fields("vm", 7, "target", "vdb", "maxSize", "5G"))).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThatThrownBy(() -> WatchFields.read(fields("path", "/a/../b", "maxSize", "5G")))
                .isInstanceOf(ResizeRejectedException.class);
    }
}
