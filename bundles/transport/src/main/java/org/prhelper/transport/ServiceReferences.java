package org.prhelper.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.FieldOption;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.prhelper.api.AuditSink;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PrHandler;

/**
 * What every socket's requests use, as dynamic references, so the dispatcher, the device inspector and
 * the audit sinks can be replaced while clients stay connected. Components that serve sockets (configured
 * or handed over) extend this; bnd reads the inherited annotations (-dsannotations-options: inherit).
 */
abstract class ServiceReferences {
    /** How long a request waits for the dispatcher when there is none (see {@link HandlerSlot}). */
    static final long HANDLER_WAIT_MILLIS = 5000;

    private final HandlerSlot handler = new HandlerSlot();

    /** Static: the serving threads of this bundle, there before any socket opens and gone after. */
    @Reference
    ServingLoops loops;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    // Not private: SCR injects fields of a superclass only when the component class may access them.
    volatile DeviceInspector inspector;

    // Several sinks (the audit trail, request statistics) each get every record; SCR updates the list in
    // place, and a copy-on-write list lets each request iterate without a lock.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, fieldOption = FieldOption.UPDATE)
    final List<AuditSink> audit = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setHandler(PrHandler h) {
        handler.set(h);
    }

    void unsetHandler(PrHandler h) {
        handler.unset(h);
    }

    /** The dispatcher; waits a few seconds for one to be registered, null if none comes. */
    public PrHandler handler() {
        return handler.await(HANDLER_WAIT_MILLIS);
    }

    /** Null while no device inspector is registered. */
    public DeviceInspector inspector() {
        return inspector;
    }

    /** The threads that serve every socket's connections. */
    public ServingLoops loops() {
        return loops;
    }

    /** The audit sinks registered now; empty when there are none. */
    public List<AuditSink> audit() {
        return audit;
    }
}
