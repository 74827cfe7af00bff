package org.prhelper.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
 * Records every request: in a bounded in-memory ring for the shell, as a line in the audit file
 * (see {@link AuditFile}) and as an OSGi event when an EventAdmin is present. Runs on the request's
 * thread after the reply, so it never throws and, unless the audit file is behind, takes no lock.
 */
// Immediate: a delayed component would be dropped, with its history, whenever its last user let go.
@Component(service = {AuditSink.class, AuditLog.class}, configurationPid = "org.prhelper.audit", immediate = true)
@Designate(ocd = AuditConfig.class)
public final class AuditTrail implements AuditSink, AuditLog {
    static final String FILE_NAME = "prhelper-audit.log";
    static final int DEFAULT_MEMORY_RECORDS = 10000;
    static final int MAX_MEMORY_RECORDS = 1_000_000;
    static final int DEFAULT_MAX_FILE_SIZE_MB = 16;
    static final int DEFAULT_MAX_FILES = 9;

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

    private final AtomicLong failures = new AtomicLong();
    private volatile AuditRing ring = new AuditRing(0);
    /** Null while the file is off or could not be opened. */
    private volatile AuditFile file;
    private volatile boolean postEvents;
    // Typed by our own class, never EventAdmin: SCR reflects on this class's members, which must
    // resolve where org.osgi.service.event is missing.
    private volatile AuditEvents events;

    @Activate
    public AuditTrail(AuditConfig config) {
        configure(config);
    }

    @Modified
    synchronized void configure(AuditConfig config) {
        int capacity = inRange("memoryRecords", config::memoryRecords, 0, MAX_MEMORY_RECORDS, DEFAULT_MEMORY_RECORDS);
        AuditRing old = ring;
        if (capacity != old.capacity()) {
            // A record arriving during the copy may miss the new ring; the file still has it.
            AuditRing resized = new AuditRing(capacity);
            old.recent(capacity).forEach(resized::add);
            ring = resized;
        }
        configureFile(config);
        postEvents = config.events();
    }

    private void configureFile(AuditConfig config) {
        AuditFile current = file;
        if (!config.log()) {
            file = null;
            closeInto(current, null);
            return;
        }
        Path path = path(config.file());
        long maxBytes = inRange("maxFileSizeMb", config::maxFileSizeMb, 1, 4096, DEFAULT_MAX_FILE_SIZE_MB) * 1024L * 1024L;
        int keep = inRange("maxFiles", config::maxFiles, 0, 1000, DEFAULT_MAX_FILES);
        if (current != null && current.path().equals(path) && current.maxBytes() == maxBytes && current.keep() == keep) {
            return;
        }
        AuditFile opened = null;
        try {
            opened = new AuditFile(path, maxBytes, keep);
        } catch (IOException | RuntimeException e) {
            LOG.error("file = '{}': cannot open the audit file {}; requests are recorded in memory only: {}",
                    config.file(), path, e.toString());
        }
        // The new file first; a record that reaches the old one after it closed is passed on to it.
        file = opened;
        closeInto(current, opened);
    }

    /** Where the file goes: as configured (relative to Karaf's base folder), else in Karaf's log folder. */
    static Path path(String configured) {
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("karaf.log", "log"), FILE_NAME);
        }
        Path p = Path.of(configured.trim());
        String base = System.getProperty("karaf.base");
        return p.isAbsolute() || base == null ? p : Path.of(base).resolve(p);
    }

    /** The configured value, or {@code fallback} with an error naming the key when it is out of range or no number. */
    static int inRange(String key, IntSupplier configured, int min, int max, int fallback) {
        int value;
        try {
            value = configured.getAsInt();
        } catch (RuntimeException e) {
            // SCR throws when the configured text is not a number; a typo must not leave requests unaudited.
            LOG.error("{} is not a number ({}); using {}", key, e.getMessage(), fallback);
            return fallback;
        }
        if (value < min || value > max) {
            LOG.error("{} = {} is out of range {}..{}; using {}", key, value, min, max, fallback);
            return fallback;
        }
        return value;
    }

    @Deactivate
    synchronized void deactivate() {
        AuditFile current = file;
        file = null;
        closeInto(current, null);
    }

    private static void closeInto(AuditFile f, AuditFile successor) {
        if (f != null) {
            f.closeInto(successor);
        }
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
            AuditFile f = file;
            if (f != null) {
                f.append(record);
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

    /** The audit file in use, null if none. */
    AuditFile file() {
        return file;
    }

    /** Logged on the 1st, 2nd, 4th, 8th... failure, so that a lasting fault cannot flood the log. */
    private void failed(RuntimeException e) {
        long n = failures.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.warn("Recording a request failed ({} failures so far)", n, e);
        }
    }
}
