package org.prhelper.audit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** Keeps the events posted to it; {@code sendEvent} is never to be used by the audit trail. */
final class FakeEventAdmin implements EventAdmin {
    final List<Event> posted = new CopyOnWriteArrayList<>();
    /** When set, posting throws it, as a stopped EventAdmin would. */
    volatile RuntimeException failure;

    @Override
    public void postEvent(Event event) {
        if (failure != null) {
            throw failure;
        }
        posted.add(event);
    }

    @Override
    public void sendEvent(Event event) {
        throw new AssertionError("sendEvent blocks the request thread");
    }
}
