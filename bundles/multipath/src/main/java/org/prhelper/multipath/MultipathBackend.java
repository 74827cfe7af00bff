package org.prhelper.multipath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.AgentWarnings;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;
import org.prhelper.api.PrOutAction;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.api.SenseProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent reservations on dm-multipath maps: libmpathpersist sends each PR OUT down every path
 * (a REGISTER registers every I_T nexus), where SG_IO on the map would reach one path only. Ranked
 * above SG_IO, it takes only multipath maps; without the library it takes nothing, and maps fall back
 * to SG_IO. REGISTER AND MOVE, which the library lacks, goes to the paths one by one (see there);
 * the plain REGISTER AND IGNORE EXISTING KEY goes down every path at once without the library.
 * Maps served without a {@code reservation_key} are published as {@link AgentWarnings}.
 */
// Configuration required: deleting etc/org.prhelper.multipath.cfg switches the backend off live.
@Component(service = {PrBackend.class, AgentWarnings.class}, configurationPid = MultipathConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = "service.ranking:Integer=100")
@Designate(ocd = MultipathConfig.class)
public final class MultipathBackend implements PrBackend, AgentWarnings {
    private static final Logger LOG = LoggerFactory.getLogger(MultipathBackend.class);

    private final DeviceInspector inspector;
    private final LibMpathPersist library;
    private final ReservationKeys keys;
    private final MissingReservationKeys missingKeys;
    private final Multipathd multipathd = new Multipathd(Multipathd.SOCKET);
    /** Sends to the second and further paths of a registration; threads end after standing idle. */
    private final ExecutorService pathThreads;
    private final RegistrationFanOut fanOut;
    private final MapPaths paths = new MapPaths(Path.of("/sys"));
    private final PathDevices pathDevices;
    /** The request as sent down one path, one per thread: commands on maps run on many threads at once. */
    private final ThreadLocal<PrRequest> pathRequests = ThreadLocal.withInitial(PrRequest::new);

    /**
     * One lock for all maps, and so one native buffer for both directions: libmpathpersist 0.9.4 is
     * not safe for concurrent calls even on different maps (its path-checker registry, the directio
     * checker and the udev context are shared without a lock), and two PR OUT on one map would
     * interleave their per-path fan-out. See docs/multipath.md, "Concurrent calls into libmpathpersist".
     */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * One PR OUT at a time per map (by MAJ:MIN; a map is an entry for the life of the backend): a
     * registration goes down every path and then to multipathd, and two of them interleaved could
     * leave paths, or multipathd, with different keys. Taken before {@link #lock}.
     */
    private final Map<String, ReentrantLock> mapLocks = new ConcurrentHashMap<>();
    /** Guarded by {@link #lock}. */
    private final KeptVectors kept;
    private final Memory memory;
    private final ByteBuffer struct;
    private final long base;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SenseProbe senseProbe;

    /** The SG_IO backend, for REGISTER AND MOVE on one path (a plain SCSI device). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(prhelper.backend=sgio)")
    private volatile PrBackend pathBackend;

    @Activate
    public MultipathBackend(MultipathConfig config, @Reference(name = "inspector") DeviceInspector inspector) {
        this.inspector = inspector;
        this.library = loadLibrary();
        this.keys = readConfiguration(config);
        this.missingKeys = new MissingReservationKeys(keys);
        this.pathDevices = library == null ? null : new PathDevices();
        AtomicInteger threads = new AtomicInteger();
        this.pathThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "prhelper-mpath-path-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.fanOut = new RegistrationFanOut(pathDevices, pathThreads);
        int size = Math.max(MpathLayout.PRIN_BUFFER_SIZE, MpathLayout.PROUT_BUFFER_SIZE);
        this.memory = library == null ? null : new Memory(size);
        this.struct = memory == null ? null : memory.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        this.base = memory == null ? 0 : Pointer.nativeValue(memory);
        this.kept = new KeptVectors(keepPathsSeconds(config.keepPathsSeconds()), System::nanoTime);
    }

    @Deactivate
    void deactivate() {
        pathThreads.shutdown(); // a registration still going finishes its paths
        multipathd.close();
    }

    /** The value if it is in range, else (with a log line naming the key) the default. */
    private static int keepPathsSeconds(int value) {
        if (value >= 0 && value <= MultipathConfig.MAX_KEEP_PATHS_SECONDS) {
            return value;
        }
        LOG.error("Configuration {}: keepPathsSeconds = {} is outside 0..{}; using {}", MultipathConfig.PID,
                value, MultipathConfig.MAX_KEEP_PATHS_SECONDS, MultipathConfig.DEFAULT_KEEP_PATHS_SECONDS);
        return MultipathConfig.DEFAULT_KEEP_PATHS_SECONDS;
    }

    private static LibMpathPersist loadLibrary() {
        try {
            LibMpathPersist lib = LibMpathPersist.load(MpathLayout.MAX_PARAM_LEN);
            LOG.info("libmpathpersist loaded: dm-multipath maps go through it");
            return lib;
        } catch (UnsatisfiedLinkError | IllegalStateException e) {
            LOG.warn("libmpathpersist is not usable ({}): dm-multipath maps fall back to SG_IO, which reaches "
                    + "one path only. Install multipath-tools and restart this bundle to fix it.", e.getMessage());
            return null;
        }
    }

    private static ReservationKeys readConfiguration(MultipathConfig config) {
        ReservationKeys keys = new ReservationKeys();
        read(keys, Path.of(config.configFile()), "configFile");
        Path dir = Path.of(config.configDir());
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.conf")) {
                files.forEach(f -> read(keys, f, "configDir"));
            } catch (IOException e) {
                LOG.warn("Cannot list {} (configDir): {}", dir, e.toString());
            }
        }
        return keys;
    }

    private static void read(ReservationKeys keys, Path file, String key) {
        if (!Files.exists(file)) {
            return; // no multipath configured here; a map served anyway is reported when first seen
        }
        try {
            keys.parse(Files.readString(file));
        } catch (IOException e) {
            LOG.warn("Cannot read {} ({}): {}; maps it configures will be reported without reservation_key",
                    file, key, e.toString());
        }
    }

    @Override
    public String name() {
        return "multipath";
    }

    @Override
    public boolean handles(PrDevice device) {
        return library != null && inspector.identify(device).isMultipath();
    }

    @Override
    public void execute(PrRequest request, PrResponse response) {
        DeviceIdentity map = inspector.identify(request.device());
        warnWithoutReservationKey(map);
        int opcode = request.opcode();
        if (opcode == PrRequest.OPCODE_PR_IN) {
            if (request.serviceAction() > PrinTranslator.READ_FULL_STATUS) {
                response.checkCondition(SenseCode.INVALID_FIELD_IN_CDB);
            } else if (!reserveInOnAPath(map, request, response)) {
                response.reset();
                reserveIn(request, response);
            }
            response.backend(name());
        } else if (opcode != PrRequest.OPCODE_PR_OUT) {
            response.checkCondition(SenseCode.INVALID_OPCODE);
        } else if (request.serviceAction() == PrOutAction.REGISTER_AND_MOVE.code()) {
            registerAndMove(map, request, response);
            response.backend(name());
        } else {
            ReentrantLock mapLock = mapLocks.computeIfAbsent(map.numbers(), m -> new ReentrantLock());
            mapLock.lock();
            try {
                if (!registerAndIgnoreOnPaths(map, request, response)) {
                    reserveOut(map, request, response);
                }
            } finally {
                mapLock.unlock();
            }
        }
    }

    /**
     * The plain REGISTER AND IGNORE EXISTING KEY on a map whose key multipathd keeps in its prkeys
     * file: what the library does, without its lock. The key goes to multipathd first (the library
     * refuses the command if multipathd does not take it), then down every running path at once, and
     * on success multipathd is told the map has a registration, so that it registers the key on a path
     * that comes back. False, with nothing sent to a path, when the library must do it instead.
     */
    private boolean registerAndIgnoreOnPaths(DeviceIdentity map, PrRequest request, PrResponse response) {
        PrBackend handler = pathBackend;
        if (handler == null || !RegistrationFanOut.plainRegisterAndIgnore(request)
                || !keys.inPrkeysFile(map.dmUuid()) || keys.allTargetPorts(map.dmUuid())) {
            return false;
        }
        List<String> running;
        try {
            running = paths.running(map.major(), map.minor());
        } catch (IOException e) {
            return false;
        }
        if (running.isEmpty()) {
            return false; // the library answers as it does for a map with no usable path
        }
        String name = "dm-" + map.minor();
        if (!tellMultipathd(Multipathd.setPrKey(name, RegistrationFanOut.serviceActionKey(request),
                RegistrationFanOut.persistThroughPowerLoss(request)), map)) {
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE); // the library's answer then
            return true;
        }
        if (!fanOut.send(running, handler, request, response)) {
            return false;
        }
        if (response.status() == ScsiStatus.GOOD) {
            tellMultipathd(Multipathd.setPrStatus(name), map); // as for the library, its answer changes nothing
        }
        return true;
    }

    private boolean tellMultipathd(String command, DeviceIdentity map) {
        try {
            if (multipathd.ok(command)) {
                return true;
            }
            LOG.warn("multipathd refused '{}' for {}", command, map.path());
        } catch (IOException e) {
            LOG.warn("multipathd did not take '{}' for {}: {}", command, map.path(), e.getMessage());
        }
        return false;
    }

    /**
     * PR IN down one path with SG_IO. The reservation state is the logical unit's, the same through
     * every path, so this answers what the library would (it too reads one working path), but without
     * its path discovery and its lock: PR IN on maps runs concurrently. First through the map itself,
     * whose multipath target passes SG_IO to its current path (no path opened, no sysfs read); if that
     * path cannot answer (a transport failure, not ready), down each running path in turn; false when
     * none could, and the library then answers.
     */
    private boolean reserveInOnAPath(DeviceIdentity map, PrRequest request, PrResponse response) {
        PrBackend handler = pathBackend;
        if (handler == null) {
            return false;
        }
        return answered(handler, request, response) || downRunningPaths(map, request, "PR IN",
                onPath -> answered(handler, onPath, response)) == Paths.DONE;
    }

    /** How sending a request down a map's running paths ended. */
    private enum Paths { DONE, NOT_DONE, NONE_OPENED }

    /**
     * Sends a copy of the request down each running path of the map in turn (the paths in sysfs name
     * order, each opened for this command), until {@code send} says that path's answer is the one.
     */
    private Paths downRunningPaths(DeviceIdentity map, PrRequest request, String what, Predicate<PrRequest> send) {
        List<String> running;
        try {
            running = paths.running(map.major(), map.minor());
        } catch (IOException e) {
            LOG.warn("Cannot list the paths of {} for {}: {}", map.path(), what, e.toString());
            return Paths.NONE_OPENED;
        }
        PrRequest onPath = pathRequests.get();
        onPath.commandOf(request);
        Paths outcome = Paths.NONE_OPENED;
        for (String path : running) {
            int fd = pathDevices.open(path);
            if (fd < 0) {
                LOG.warn("Cannot open /dev/{} (a path of {}) for {}", path, map.path(), what);
                continue;
            }
            try {
                onPath.device(() -> fd);
                if (send.test(onPath)) {
                    return Paths.DONE;
                }
                outcome = Paths.NOT_DONE;
            } finally {
                onPath.device(null);
                pathDevices.close(fd);
            }
        }
        return outcome;
    }

    /** Sends the PR IN, again after a unit attention; true if the logical unit answered it. */
    private static boolean answered(PrBackend handler, PrRequest request, PrResponse response) {
        for (int attempt = 0; attempt < PathAnswers.ATTEMPTS; attempt++) {
            response.reset();
            handler.execute(request, response);
            PathAnswers.Verdict verdict = PathAnswers.of(response);
            if (verdict != PathAnswers.Verdict.AGAIN) {
                return verdict == PathAnswers.Verdict.FINAL;
            }
        }
        return false;
    }

    private void reserveIn(PrRequest request, PrResponse response) {
        int serviceAction = request.serviceAction();
        int fd = request.device().fd();
        lock.lock();
        try {
            memory.clear(MpathLayout.PRIN_BUFFER_SIZE);
            int rc = library.reserveIn(fd, serviceAction, memory);
            if (rc != MpathResults.SUCCESS) {
                MpathResults.fail(rc, fd, senseProbe, response);
                return;
            }
            int length = PrinTranslator.toWire(serviceAction, struct, base, response.data());
            if (length < 0) {
                LOG.warn("libmpathpersist returned an inconsistent READ FULL STATUS result on fd {}", fd);
                response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
                return;
            }
            response.status(ScsiStatus.GOOD);
            response.dataLength(Math.min(length, request.transferLength()));
        } finally {
            lock.unlock();
        }
    }

    private void reserveOut(DeviceIdentity map, PrRequest request, PrResponse response) {
        int serviceAction = request.serviceAction();
        int scopeAndType = request.cdb()[2] & 0xFF;
        int fd = request.device().fd();
        lock.lock();
        try {
            SenseCode malformed = ProutTranslator.toStruct(request.parameters(), request.parameterLength(), struct, base);
            if (malformed != null) {
                response.checkCondition(malformed);
                return;
            }
            int rc = reserveOut(map, fd, serviceAction, scopeAndType >> 4, scopeAndType & 0x0F);
            if (rc == MpathResults.SUCCESS) {
                response.status(ScsiStatus.GOOD);
            } else {
                MpathResults.fail(rc, fd, senseProbe, response);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The library call, on its kept vectors when they are kept and still hold (see {@link KeptVectors}).
     * A REGISTER AND IGNORE EXISTING KEY that fails on them goes again on fresh ones: it may have reached
     * some paths, and sending it to them once more changes nothing. Other service actions are not sent
     * twice (a REGISTER that reached a path would then conflict there); their failure is answered.
     */
    private int reserveOut(DeviceIdentity id, int fd, int serviceAction, int scope, int type) {
        String map = null;
        String paths = null;
        if (kept.enabled() && library.keepsVectors()) {
            map = id.numbers();
            try {
                paths = this.paths.states(id.major(), id.minor());
            } catch (IOException e) {
                map = null; // no view of its paths: discover them as the library does
            }
        }
        if (map == null) {
            return library.reserveOut(fd, serviceAction, scope, type, memory);
        }
        if (kept.stale(map, paths)) {
            int rc = library.renewVectors();
            if (rc != MpathResults.SUCCESS) {
                kept.discard();
                return library.reserveOut(fd, serviceAction, scope, type, memory);
            }
            kept.rebuilt();
        }
        int rc = library.reserveOutOnKeptVectors(fd, serviceAction, scope, type, memory);
        if (rc == MpathResults.SUCCESS || rc == MpathResults.RESERV_CONFLICT) {
            kept.used(map, paths);
            return rc;
        }
        kept.discard();
        if (serviceAction == PrOutAction.REGISTER_AND_IGNORE.code()) {
            LOG.debug("REGISTER AND IGNORE on {} failed on the kept paths ({}): again after discovering them",
                    map, rc);
            return library.reserveOut(fd, serviceAction, scope, type, memory);
        }
        return rc;
    }

    /**
     * REGISTER AND MOVE must come from the I_T nexus that holds the reservation, and the library cannot
     * send it. Each running path gets it in turn until one does not answer RESERVATION CONFLICT: a
     * nexus that is not the holder (or not registered) gets that conflict and the device changes
     * nothing, so only the holder's path can act, exactly once.
     */
    private void registerAndMove(DeviceIdentity map, PrRequest request, PrResponse response) {
        PrBackend handler = pathBackend;
        if (handler == null || downRunningPaths(map, request, "REGISTER AND MOVE", onPath -> {
            response.reset();
            handler.execute(onPath, response);
            return response.status() != ScsiStatus.RESERVATION_CONFLICT;
        }) == Paths.NONE_OPENED) {
            LOG.warn("REGISTER AND MOVE on {}: no running path could be opened{}", map.path(),
                    handler == null ? " (no SG_IO backend)" : "");
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }

    private void warnWithoutReservationKey(DeviceIdentity map) {
        if (missingKeys.firstSeenWithoutKey(map)) {
            LOG.warn("{}", MissingReservationKeys.warning(map.path(), map.dmUuid()));
        }
    }

    @Override
    public List<String> warnings() {
        return missingKeys.warnings();
    }
}
