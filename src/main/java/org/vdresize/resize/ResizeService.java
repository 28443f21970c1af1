package org.vdresize.resize;

import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Starts resizes (as process instances) and reads them back. */
@Service
public class ResizeService {

    /**
     * Validates the request and starts the process. Returns the resize: RUNNING (202), or COMPLETED
     * with noop=true when the disk already has the requested size (200).
     *
     * @throws ResizeRejectedException when the request breaks a rule; nothing is changed then
     */
    public ResizeView start(ResizeRequest request, String user) {
        throw new IllegalStateException("being written");
    }

    public Optional<ResizeView> find(String id) {
        throw new IllegalStateException("being written");
    }

    /** @param status null for any; @param diskPath null for any */
    public List<ResizeView> list(ResizeStatus status, String diskPath) {
        throw new IllegalStateException("being written");
    }
}
