package org.vdresize.resize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vdresize.resize.RequestFields.Source;

/** The one validator: the same rules and codes for a JSON body and for process variables. */
class RequestFieldsTest {

    static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put((String) pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(Map<String, Object> fields, Source source,
                                                                    RejectionCode code) {
        return assertThatThrownBy(() -> RequestFields.read(fields, source))
                .isInstanceOfSatisfying(ResizeRejectedException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @ParameterizedTest
    @EnumSource(Source.class)
    void everyWayRefusesTheSameWrongTypesWithTheSameCodes(Source source) {
        for (Object wrong : List.of(5, 5L, 1.5, true, new Date(), new byte[1], Map.of(), List.of())) {
            for (String text : List.of("vm", "target")) {
                Map<String, Object> f = fields("vm", "vm1", "target", "vdb", "size", "1G");
                f.put(text, wrong);
                refused(f, source, RejectionCode.INVALID_REQUEST).hasMessageStartingWith(text + " must be a string, not ");
            }
            refused(fields("path", "/d", "size", "1G", "reason", wrong), source, RejectionCode.INVALID_REQUEST)
                    .hasMessageStartingWith("reason must be a string");
            if (!(wrong instanceof Boolean)) {
                refused(fields("path", "/d", "size", "1G", "notifyGuest", wrong), source, RejectionCode.INVALID_REQUEST)
                        .hasMessageStartingWith("notifyGuest must be true or false");
            }
        }
        for (Object size : List.of(true, -5, "-5G", "garbage", Map.of(), new Date(), BigInteger.TEN.pow(30), 0)) {
            refused(fields("path", "/d", "size", size), source, RejectionCode.INVALID_SIZE);
        }
        refused(fields("path", "/d", "size", "1G", "approved", true), source, RejectionCode.INVALID_REQUEST)
                .hasMessageContaining("unknown field \"approved\"");
        refused(fields("path", "/d", "pool", "p", "volume", "v", "size", "1G"), source, RejectionCode.INVALID_REQUEST)
                .hasMessageContaining("exactly one way");
        refused(fields("path", "/d/../etc", "size", "1G"), source, RejectionCode.INVALID_REQUEST);
        refused(fields("path", "/d"), source, RejectionCode.INVALID_REQUEST).hasMessageContaining("size is missing");
        refused(fields("vm", "v".repeat(256), "target", "vdb", "size", "1G"), source, RejectionCode.INVALID_REQUEST)
                .hasMessageContaining("vm is longer than 255");
    }

    @Test
    void formsSendEmptyStringsForUntouchedFieldsAndSpacesAroundNames() {
        ResizeRequest r = RequestFields.read(fields("vm", "", "target", " ", "pool", "", "volume", "",
                "path", " /pool/d.img ", "size", "+0", "notifyGuest", true, "growFilesystem", false, "reason", ""),
                Source.VARIABLES);
        assertThat(r).isEqualTo(new ResizeRequest(null, null, null, null, "/pool/d.img", "+0", true, false, null));
        refused(fields("path", " ", "size", "1G"), Source.JSON, RejectionCode.INVALID_REQUEST)
                .hasMessage("path must not be blank");
        refused(fields("path", "/d", "size", " "), Source.VARIABLES, RejectionCode.INVALID_REQUEST)
                .hasMessageContaining("size is missing");
    }

    @Test
    void untypedEngineRestClientsMaySendFlagsAsStringsJsonMayNot() {
        ResizeRequest r = RequestFields.read(fields("path", "/d", "size", "1G", "notifyGuest", "FALSE",
                "growFilesystem", "true"), Source.VARIABLES);
        assertThat(r.notifyGuest()).isFalse();
        assertThat(r.growFilesystem()).isTrue();
        refused(fields("path", "/d", "size", "1G", "notifyGuest", "true"), Source.JSON, RejectionCode.INVALID_REQUEST);
        refused(fields("path", "/d", "size", "1G", "notifyGuest", "yes"), Source.VARIABLES, RejectionCode.INVALID_REQUEST)
                .hasMessage("notifyGuest must be true or false, not another string");
    }

    @Test
    void manyUnknownFieldsMakeAMessageThatStillFitsItsColumn() {
        Map<String, Object> f = fields("path", "/d", "size", "1G");
        for (int i = 0; i < 1000; i++) {
            f.put("x".repeat(100) + i, i);
        }
        refused(f, Source.VARIABLES, RejectionCode.INVALID_REQUEST)
                .hasMessageContaining("and 995 more")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(500));
    }

    @Test
    void aSizeIsNormalisedAsTheRestApiDid() {
        assertThat(RequestFields.read(fields("path", "/d", "size", " +5G "), Source.JSON).size()).isEqualTo("+5G");
        assertThat(RequestFields.read(fields("path", "/d", "size", 1073741824), Source.VARIABLES).size())
                .isEqualTo(1073741824L);
    }
}
