package org.vdresize.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.vdresize.resize.RejectionCode;
import org.vdresize.resize.ResizeRejectedException;
import org.vdresize.resize.ResizeStatistics;

/** Figures over the last days' resizes, for the Cockpit dashboard (api-contract.md, "Dashboard figures and webapp sessions"). */
@RestController
@Tag(name = "Resizes", description = "Start a resize and follow it")
public class StatsController {

    private final ResizeStatistics statistics;

    public StatsController(ResizeStatistics statistics) {
        this.statistics = statistics;
    }

    @GetMapping(path = "/api/stats/resizes", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Resizes by status, growth per day and the disks that grew most",
            description = "Over the last `days` UTC days, today included: the resizes started, per status; the growth "
                    + "(newSize - oldSize) of the resizes that ended COMPLETED (no no-ops), per day of their end; the "
                    + "10 disks that grew most. For every vdresize role.")
    public ResizeStatistics.Stats resizes(@Parameter(description = "1 to 366, default 30")
                                          @RequestParam(name = "days", required = false) String days) {
        return statistics.lastDays(days(days));
    }

    static int days(String value) {
        if (value == null) {
            return 30;
        }
        try {
            int days = Integer.parseInt(value.strip());
            if (days >= 1 && days <= ResizeStatistics.MAX_DAYS) {
                return days;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ResizeRejectedException(RejectionCode.INVALID_REQUEST,
                "days must be a whole number from 1 to " + ResizeStatistics.MAX_DAYS + ", not " + value);
    }
}
