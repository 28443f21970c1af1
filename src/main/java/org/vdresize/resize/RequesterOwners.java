package org.vdresize.resize;

import java.util.Optional;

/**
 * The person answerable for a requester that is not a person (a watch's {@code watch:<id>}): the
 * four-eyes rule refuses them as it refuses the requester, or a watch would let its creator approve
 * the growth they set up.
 */
public interface RequesterOwners {

    /** The user who stands behind this requester, when it is not a person; empty for a person. */
    Optional<String> ownerOf(String requester);
}
