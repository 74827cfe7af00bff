package org.prhelper.metrics;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.FieldOption;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.prhelper.api.AgentWarnings;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrCommands;
import org.prhelper.api.RequestCounts;
import org.prhelper.api.RequestCounts.Scope;
import org.prhelper.api.RequestStatistics;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SocketDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every request per socket, per backend and per command from the audit records, and publishes
 * the counters as {@link RequestStatistics} and as MBeans in the platform MBeanServer: one
 * {@code org.prhelper:type=Socket,name=...} per socket and one {@code type=Backend} per backend from
 * their first request, and {@code org.prhelper:type=Health}.
 */
// Immediate: a delayed component would lose its counters whenever the shell let go of it.
// The socket directory and the warnings are looked up when health is asked for, not bound: the
// sockets send their records here and the directory is itself an AgentWarnings, so binding either
// closes a cycle (this -> directory -> handed sockets -> this) that SCR reports as an error when all
// of them start at once, as when a KAR or a refresh starts every bundle together.
@Component(service = {AuditSink.class, RequestStatistics.class}, immediate = true, reference = {
        @Reference(name = RequestStats.SOCKETS, service = SocketDirectory.class,
                cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC),
        @Reference(name = RequestStats.WARNINGS, service = AgentWarnings.class,
                cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)})
public final class RequestStats implements AuditSink, RequestStatistics, HealthMBean {
    static final String DOMAIN = "org.prhelper";
    static final String SOCKETS = "sockets";
    static final String WARNINGS = "warnings";
    private static final Logger LOG = LoggerFactory.getLogger(RequestStats.class);

    private volatile Supplier<SocketDirectory> sockets = () -> null;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, fieldOption = FieldOption.UPDATE)
    private final List<PrBackend> backends = new CopyOnWriteArrayList<>();

    volatile Supplier<List<AgentWarnings>> warnings = List::of;

    private final Map<Scope, Map<String, Counters>> counters = Map.of(Scope.SOCKET, new ConcurrentHashMap<>(),
            Scope.BACKEND, new ConcurrentHashMap<>(), Scope.COMMAND, new ConcurrentHashMap<>());
    private final RecentFailures recent = new RecentFailures();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    /** Guarded by this object; null once deactivated, so that a late request registers nothing. */
    private List<ObjectName> registered = new ArrayList<>();

    @Activate
    void activate(ComponentContext context) {
        sockets = () -> context.locateService(SOCKETS);
        warnings = () -> {
            Object[] found = context.locateServices(WARNINGS);
            return found == null ? List.of() : Arrays.stream(found).map(AgentWarnings.class::cast).toList();
        };
        start();
    }

    void start() {
        register(name("Health", null), new StandardMBean(this, HealthMBean.class, false));
    }

    @Deactivate
    synchronized void stop() {
        if (registered == null) {
            return;
        }
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (JMException e) {
                LOG.debug("MBean {} already gone: {}", name, e.toString());
            }
        }
        registered = null;
    }

    @Override
    public void record(AuditRecord record) {
        counters(Scope.SOCKET, record.socket()).record(record);
        if (record.backend() != null) {
            counters(Scope.BACKEND, record.backend()).record(record);
        }
        counters(Scope.COMMAND, PrCommands.name(record.opcode(), record.serviceAction())).record(record);
        recent.record(record.time().getEpochSecond(),
                record.status() == ScsiStatus.CHECK_CONDITION && !denied(record));
    }

    /** Refused by the socket's policy rather than answered by a backend. */
    static boolean denied(AuditRecord record) {
        return !"allow".equals(record.decision());
    }

    private Counters counters(Scope scope, String name) {
        Map<String, Counters> byName = counters.get(scope);
        Counters c = byName.get(name);
        return c != null ? c : byName.computeIfAbsent(name, n -> create(scope, n));
    }

    private Counters create(Scope scope, String name) {
        Counters c = new Counters();
        if (scope != Scope.COMMAND) {
            register(name(scope == Scope.SOCKET ? "Socket" : "Backend", name), new StandardMBean(c,
                    RequestCountersMBean.class, false));
        }
        return c;
    }

    private synchronized void register(ObjectName name, StandardMBean bean) {
        if (registered == null) {
            return;
        }
        try {
            server.registerMBean(bean, name);
            registered.add(name);
        } catch (JMException e) {
            // Counting goes on without JMX, e.g. when another agent in this JVM holds the name.
            LOG.warn("Cannot register MBean {}: {}", name, e.toString());
        }
    }

    /** {@code org.prhelper:type=TYPE,name=NAME}; the name quoted only when it has to be. */
    static ObjectName name(String type, String name) {
        String value = name == null ? null
                : name.isEmpty() || name.matches(".*[,=:\"*?\\\\\\n].*") ? ObjectName.quote(name) : name;
        try {
            return new ObjectName(DOMAIN + ":type=" + type + (value == null ? "" : ",name=" + value));
        } catch (JMException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    @Override
    public List<RequestCounts> snapshot() {
        List<RequestCounts> rows = new ArrayList<>();
        for (Scope scope : Scope.values()) {
            new ConcurrentSkipListMap<>(counters.get(scope)).forEach((n, c) -> rows.add(c.snapshot(scope, n)));
        }
        return rows;
    }

    List<String> reasons() {
        SocketDirectory directory = sockets.get();
        Instant now = Instant.now();
        long[] lastMinute = recent.lastMinute(now.getEpochSecond());
        return Health.reasons(directory == null ? null : directory.sockets(), backends.size(), lastMinute[0],
                lastMinute[1], now);
    }

    @Override
    public boolean isHealthy() {
        return reasons().isEmpty();
    }

    @Override
    public String[] getReasons() {
        return reasons().toArray(String[]::new);
    }

    @Override
    public String[] getWarnings() {
        List<String> all = new ArrayList<>();
        for (AgentWarnings w : warnings.get()) {
            all.addAll(w.warnings());
        }
        return all.toArray(String[]::new);
    }
}
