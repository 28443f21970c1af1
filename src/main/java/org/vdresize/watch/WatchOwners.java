package org.vdresize.watch;

import java.util.Optional;
import org.springframework.stereotype.Component;
import org.vdresize.resize.RequesterOwners;

/** A watch's resizes are requested by {@code watch:<id>}; the user who created the watch answers for them. */
@Component
class WatchOwners implements RequesterOwners {

    private static final String PREFIX = "watch:";

    private final WatchRepository watches;

    WatchOwners(WatchRepository watches) {
        this.watches = watches;
    }

    @Override
    public Optional<String> ownerOf(String requester) {
        if (requester == null || !requester.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return watches.find(requester.substring(PREFIX.length())).map(Watch::createdBy);
    }
}
