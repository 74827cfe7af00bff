package org.prhelper.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceIdentity.Kind;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PrDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identifies a descriptor: one statx on it for the file type, the device numbers and which inode it
 * is; for a block or character device seen before (within the cache lifetime), that is all. Otherwise
 * {@code readlink /proc/self/fd/N} gives the path it was opened as, and sysfs, by device number, the
 * WWID or device-mapper uuid; the identity is then kept by inode. An inode stands for one device node,
 * so a cached answer goes stale only when that node is renamed, for at most the lifetime. Never
 * throws: what cannot be read is left null or -1, and a descriptor that is not open is
 * {@link DeviceIdentity#UNKNOWN}.
 */
@Component(service = DeviceInspector.class, configurationPid = LinuxDeviceInspector.PID)
@Designate(ocd = DeviceInspectorConfig.class)
public final class LinuxDeviceInspector implements DeviceInspector {
    static final String PID = "org.prhelper.device";
    static final String CACHE_SECONDS = "cacheSeconds";
    static final int DEFAULT_CACHE_SECONDS = 10;
    static final int MAX_CACHE_SECONDS = 86_400;
    /** Far more devices than one host serves to VMs; bounds memory if nodes churn. */
    static final int MAX_CACHE_ENTRIES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(LinuxDeviceInspector.class);

    /**
     * A device node: an inode of a file system. Looked up on every request, so equals and hashCode are
     * written out: a record's own go through method handles that C1, the agent's only compiler, does
     * not inline (61 against 16 ns per lookup on the host; 11 % of our Java samples in the lab guest).
     */
    private record Node(long fileSystem, long inode) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Node n && n.fileSystem == fileSystem && n.inode == inode;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(inode * 31 + fileSystem);
        }
    }

    private final Path fdDir;
    private final FileStat.Source stats;
    private final Sysfs sysfs;
    private final ExpiringCache<Node, DeviceIdentity> known;
    private int cacheSeconds = DEFAULT_CACHE_SECONDS;

    @Activate
    public LinuxDeviceInspector(Map<String, Object> properties) {
        this(Path.of("/proc/self/fd"), nativeStats(Path.of("/proc/self/fd")), new Sysfs(Path.of("/sys")),
                System::nanoTime);
        configure(properties);
    }

    LinuxDeviceInspector(Path fdDir, FileStat.Source stats, Sysfs sysfs, LongSupplier nanoClock) {
        this.fdDir = fdDir;
        this.stats = stats;
        this.sysfs = sysfs;
        this.known = new ExpiringCache<>(MAX_CACHE_ENTRIES, nanoClock, DEFAULT_CACHE_SECONDS);
    }

    /** statx where the C library has it (glibc 2.28 and later), else stat through /proc. */
    private static FileStat.Source nativeStats(Path fdDir) {
        try {
            return new Statx();
        } catch (LinkageError e) {
            LOG.info("statx is not available ({}); identifying descriptors through {}", e.toString(), fdDir);
            return new ProcStat(fdDir);
        }
    }

    /** Reads the raw property so that a value that is not a number is reported, not silently coerced. */
    @Modified
    synchronized void configure(Map<String, Object> properties) {
        int seconds;
        try {
            seconds = parseCacheSeconds(properties.get(CACHE_SECONDS));
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid {} configuration: {}; keeping cacheSeconds = {}", PID, e.getMessage(), cacheSeconds);
            return;
        }
        cacheSeconds = seconds;
        known.lifetimeSeconds(seconds);
    }

    static int parseCacheSeconds(Object value) {
        if (value == null) {
            return DEFAULT_CACHE_SECONDS;
        }
        String text = value.toString().trim();
        try {
            int seconds = Integer.parseInt(text);
            if (seconds >= 0 && seconds <= MAX_CACHE_SECONDS) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new IllegalArgumentException(CACHE_SECONDS + " = '" + text + "': not a number of seconds 0.."
                + MAX_CACHE_SECONDS);
    }

    /**
     * The transport (for policy and audit), the multipath backend's {@code handles} and its
     * {@code execute} all ask about the same request's device, on the serving thread or a device
     * worker: the answer is kept with the {@link PrDevice} object, which stands for one request.
     */
    @Override
    public DeviceIdentity identify(PrDevice device) {
        DeviceIdentity known = device.identity();
        if (known == null) {
            known = identify(device.fd());
            device.identity(known);
        }
        return known;
    }

    DeviceIdentity identify(int fd) {
        FileStat stat = stats.of(fd).orElse(null);
        if (stat == null) {
            return DeviceIdentity.UNKNOWN;
        }
        Kind kind = DeviceNumbers.kind(stat.mode());
        Node node = new Node(stat.fileSystem(), stat.inode());
        if (kind != Kind.OTHER) {
            DeviceIdentity cached = known.get(node);
            // The numbers are checked too: an inode number freed and given to another device's node.
            if (cached != null && cached.kind() == kind && cached.major() == stat.major()
                    && cached.minor() == stat.minor()) {
                return cached;
            }
        }
        String path;
        try {
            path = Files.readSymbolicLink(fdDir.resolve(Integer.toString(fd))).toString();
        } catch (IOException | RuntimeException e) {
            return DeviceIdentity.UNKNOWN;
        }
        if (kind == Kind.OTHER) {
            return new DeviceIdentity(path, Kind.OTHER, -1, -1, null, null);
        }
        Sysfs.Ids ids = sysfs.lookup(kind, stat.major(), stat.minor());
        DeviceIdentity identity = new DeviceIdentity(path, kind, stat.major(), stat.minor(), ids.wwid(), ids.dmUuid());
        known.put(node, identity);
        return identity;
    }

    int cached() {
        return known.size();
    }
}
