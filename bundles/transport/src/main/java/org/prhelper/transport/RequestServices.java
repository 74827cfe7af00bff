package org.prhelper.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.FieldOption;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.util.tracker.ServiceTracker;
import org.prhelper.api.AuditSink;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PrHandler;

/**
 * What every socket's requests use, configured or handed off: the serving threads, the dispatcher, the
 * device inspector and the audit sinks. The last three are dynamic, so they can be replaced while clients
 * stay connected. The socket components take this one component in their constructors: bound before any
 * of them opens a socket, so no request is served without the inspector or sinks that are there.
 */
@Component(service = RequestServices.class)
public final class RequestServices {
    /** How long a request waits for the dispatcher when there is none: at start-up, or while it restarts. */
    static final long HANDLER_WAIT_MILLIS = 5000;

    private final ServingLoops loops;
    private final WallClock clock = new WallClock();
    private final LongFunction<PrHandler> handler;
    /** The dispatcher's tracker; null in unit tests. A tracker, not a reference: DS has no bounded wait. */
    private final ServiceTracker<PrHandler, PrHandler> handlers;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile DeviceInspector inspector;

    // Several sinks (the audit trail, request statistics) each get every record; SCR updates the list in
    // place, and a copy-on-write list lets each request iterate without a lock.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, fieldOption = FieldOption.UPDATE)
    final List<AuditSink> audit = new CopyOnWriteArrayList<>();

    @Activate
    public RequestServices(BundleContext context, @Reference(name = "loops") ServingLoops loops) {
        this.loops = loops;
        this.handlers = new ServiceTracker<>(context, PrHandler.class, null);
        this.handlers.open();
        this.handler = millis -> {
            try {
                return handlers.waitForService(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        };
    }

    /** For tests: {@code handler} gets the wait in milliseconds and answers the dispatcher or null. */
    RequestServices(ServingLoops loops, LongFunction<PrHandler> handler) {
        this.loops = loops;
        this.handler = handler;
        this.handlers = null;
    }

    @Deactivate
    void stop() {
        if (handlers != null) {
            handlers.close();
        }
    }

    /** The dispatcher; waits a few seconds for one to be registered, null if none comes. */
    public PrHandler handler() {
        return handler.apply(HANDLER_WAIT_MILLIS);
    }

    /** Null while no device inspector is registered. */
    public DeviceInspector inspector() {
        return inspector;
    }

    /** The audit sinks registered now, each to receive every record; empty when there are none. */
    public List<AuditSink> audit() {
        return audit;
    }

    /** The wall-clock time of a request's {@link System#nanoTime()} readings. */
    WallClock clock() {
        return clock;
    }

    /** The threads that serve every socket's connections. */
    public ServingLoops loops() {
        return loops;
    }
}
