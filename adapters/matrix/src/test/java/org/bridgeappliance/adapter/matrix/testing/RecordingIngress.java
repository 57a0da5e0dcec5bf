package org.bridgeappliance.adapter.matrix.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;

/** Records submitted events; can be made unavailable to test the 503 path. */
public final class RecordingIngress implements EventIngress {
    public final List<BridgeEvent> events = new CopyOnWriteArrayList<>();
    private volatile boolean unavailable;

    public void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    @Override
    public Acceptance submit(BridgeEvent event) {
        if (unavailable) {
            throw new IngressUnavailableException("store down", null);
        }
        events.add(event);
        return Acceptance.QUEUED;
    }
}
