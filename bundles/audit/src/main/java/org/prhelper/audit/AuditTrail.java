package org.prhelper.audit;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.AuditLog;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every request: in a bounded in-memory ring for the shell, as a line on the logger
 * {@value #LOGGER} (pax-logging sends it to its own rotating file) and as an OSGi event when an
 * EventAdmin is present. Runs on the request's thread after the reply, so it takes no lock of its
 * own and never throws.
 */
// Immediate: a delayed component would be dropped, with its history, whenever its last user let go.
@Component(service = {AuditSink.class, AuditLog.class}, configurationPid = "org.prhelper.audit", immediate = true)
@Designate(ocd = AuditConfig.class)
public final class AuditTrail implements AuditSink, AuditLog {
    static final String LOGGER = "prhelper.audit";
    static final int DEFAULT_MEMORY_RECORDS = 10000;
    static final int MAX_MEMORY_RECORDS = 1_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

    private final AtomicLong failures = new AtomicLong();
    private volatile AuditRing ring = new AuditRing(0);
    private volatile boolean log;
    private volatile boolean postEvents;
    // Typed by our own class, never EventAdmin: SCR reflects on this class's members, which must
    // resolve where org.osgi.service.event is missing.
    private volatile AuditEvents events;

    @Activate
    public AuditTrail(AuditConfig config) {
        configure(config);
    }

    @Modified
    void configure(AuditConfig config) {
        int capacity = memoryRecords(config);
        AuditRing old = ring;
        if (capacity != old.capacity()) {
            // A record arriving during the copy may miss the new ring; the log still has it.
            AuditRing resized = new AuditRing(capacity);
            old.recent(capacity).forEach(resized::add);
            ring = resized;
        }
        log = config.log();
        postEvents = config.events();
    }

    static int memoryRecords(AuditConfig config) {
        int value;
        try {
            value = config.memoryRecords();
        } catch (RuntimeException e) {
            // SCR throws when the configured text is not a number; a typo must not leave requests unaudited.
            LOG.error("memoryRecords is not a number ({}); using {}", e.getMessage(), DEFAULT_MEMORY_RECORDS);
            return DEFAULT_MEMORY_RECORDS;
        }
        if (value < 0 || value > MAX_MEMORY_RECORDS) {
            LOG.error("memoryRecords = {} is out of range 0..{}; using {}", value, MAX_MEMORY_RECORDS,
                    DEFAULT_MEMORY_RECORDS);
            return DEFAULT_MEMORY_RECORDS;
        }
        return value;
    }

    /** Bound with the service as Object, so that this class's signatures never name EventAdmin. */
    @Reference(service = EventAdmin.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindEventAdmin(Object eventAdmin) {
        events = new AuditEvents(eventAdmin);
    }

    synchronized void unbindEventAdmin(Object eventAdmin) {
        // A greedy rebind to a better EventAdmin binds the new one before it unbinds the old.
        AuditEvents current = events;
        if (current != null && current.posts(eventAdmin)) {
            events = null;
        }
    }

    @Override
    public void record(AuditRecord record) {
        if (record == null) {
            return;
        }
        try {
            ring.add(record);
            if (log && AUDIT.isInfoEnabled()) {
                AUDIT.info(AuditLine.format(record));
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        AuditEvents e = events;
        if (postEvents && e != null) {
            try {
                e.post(record);
            } catch (RuntimeException x) {
                failed(x);
            }
        }
    }

    @Override
    public List<AuditRecord> recent(int limit) {
        return ring.recent(limit);
    }

    int memoryCapacity() {
        return ring.capacity();
    }

    /** Logged on the 1st, 2nd, 4th, 8th... failure, so that a lasting fault cannot flood the log. */
    private void failed(RuntimeException e) {
        long n = failures.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.warn("Recording a request failed ({} failures so far)", n, e);
        }
    }
}
