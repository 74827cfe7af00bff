package org.prhelper.audit;

import java.util.HashMap;
import java.util.Map;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;

/**
 * Posts each record as an OSGi event. The only class that uses org.osgi.service.event, whose import
 * is optional: it is loaded when an EventAdmin is bound, so the bundle runs where that package is
 * missing.
 */
final class AuditEvents {
    static final String TOPIC_ALLOWED = "org/prhelper/audit/ALLOWED";
    static final String TOPIC_DENIED = "org/prhelper/audit/DENIED";

    private final EventAdmin admin;

    AuditEvents(Object admin) {
        this.admin = (EventAdmin) admin;
    }

    boolean posts(Object service) {
        return admin == service;
    }

    void post(AuditRecord record) {
        admin.postEvent(event(record));
    }

    static Event event(AuditRecord r) {
        PeerIdentity peer = r.peer() == null ? PeerIdentity.UNKNOWN : r.peer();
        DeviceIdentity device = r.device() == null ? DeviceIdentity.UNKNOWN : r.device();
        Map<String, Object> p = new HashMap<>(48);
        putIfKnown(p, "socket", r.socket());
        p.put("peer.pid", peer.pid());
        p.put("peer.uid", peer.uid());
        p.put("peer.gid", peer.gid());
        putIfKnown(p, "vm", peer.vmName());
        putIfKnown(p, "device.path", device.path());
        putIfKnown(p, "device.numbers", device.numbers());
        putIfKnown(p, "device.wwid", AuditLine.deviceId(device));
        p.put("opcode", r.opcode());
        p.put("serviceAction", r.serviceAction());
        p.put("scope", r.scope());
        p.put("type", r.type());
        p.put("reservationKey", r.reservationKey());
        p.put("serviceActionKey", r.serviceActionKey());
        putIfKnown(p, "decision", r.decision());
        putIfKnown(p, "backend", r.backend());
        p.put("status", r.status());
        p.put("sense.key", r.senseKey());
        p.put("sense.asc", r.asc());
        p.put("sense.ascq", r.ascq());
        p.put("latency.nanos", r.latencyNanos());
        putIfKnown(p, "user", r.user());
        p.put(EventConstants.TIMESTAMP, r.time() != null ? r.time().toEpochMilli() : System.currentTimeMillis());
        return new Event(denied(r) ? TOPIC_DENIED : TOPIC_ALLOWED, p);
    }

    /** A request is reported allowed only when the policy said so in as many words. */
    static boolean denied(AuditRecord r) {
        return !"allow".equals(r.decision());
    }

    /** Absent strings are left out rather than null, so that a handler's filter {@code (vm=*)} means "has one". */
    private static void putIfKnown(Map<String, Object> p, String key, Object value) {
        if (value != null) {
            p.put(key, value);
        }
    }
}
