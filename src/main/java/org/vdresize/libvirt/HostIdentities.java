package org.vdresize.libvirt;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which configured hosts are the same hypervisor as another: two hosts whose connections gave the
 * same libvirt host UUID (the identity libvirt itself uses to refuse a migration to the same host).
 * The first of them in configuration order is the one used; each later one is its duplicate.
 */
final class HostIdentities {

    private HostIdentities() {
    }

    /**
     * @param order      the configured host names, in configuration order
     * @param identities each host's host UUID as its last connection gave it; a host without one
     *                   (never connected, or a driver without a host UUID) is the duplicate of none
     * @return the first host before {@code name} in {@code order} with the same identity
     */
    static Optional<String> duplicateOf(List<String> order, Map<String, String> identities, String name) {
        String identity = identities.get(name);
        if (identity == null) {
            return Optional.empty();
        }
        for (String earlier : order) {
            if (earlier.equals(name)) {
                return Optional.empty();
            }
            if (identity.equals(identities.get(earlier))) {
                return Optional.of(earlier);
            }
        }
        return Optional.empty();
    }
}
