package org.prhelper.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

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
 * Identifies a descriptor without native code: {@code readlink /proc/self/fd/N} for the path it was
 * opened as, {@code stat} through that link for the file type and device number (the link leads to the
 * open file itself, so this holds even when the path was since renamed or unlinked), then sysfs, cached
 * per device number, for the WWID or device-mapper uuid. A cache hit costs those two system calls.
 * Never throws: what cannot be read is left null or -1, and a descriptor that is not open is
 * {@link DeviceIdentity#UNKNOWN}.
 */
@Component(service = DeviceInspector.class, configurationPid = LinuxDeviceInspector.PID)
@Designate(ocd = DeviceInspectorConfig.class)
public final class LinuxDeviceInspector implements DeviceInspector {
    static final String PID = "org.prhelper.device";
    static final String CACHE_SECONDS = "cacheSeconds";
    static final int DEFAULT_CACHE_SECONDS = 10;
    static final int MAX_CACHE_SECONDS = 86_400;
    /** Far more devices than one host serves to VMs; bounds memory if numbers churn. */
    static final int MAX_CACHE_ENTRIES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(LinuxDeviceInspector.class);

    private final Path fdDir;
    private final SysfsCache cache;
    private int cacheSeconds = DEFAULT_CACHE_SECONDS;

    @Activate
    public LinuxDeviceInspector(Map<String, Object> properties) {
        this(Path.of("/proc/self/fd"), new SysfsCache(new Sysfs(Path.of("/sys")), MAX_CACHE_ENTRIES, System::nanoTime,
                DEFAULT_CACHE_SECONDS));
        configure(properties);
    }

    LinuxDeviceInspector(Path fdDir, SysfsCache cache) {
        this.fdDir = fdDir;
        this.cache = cache;
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
        cache.lifetimeSeconds(seconds);
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
        if (fd < 0) {
            return DeviceIdentity.UNKNOWN;
        }
        Path link = fdDir.resolve(Integer.toString(fd));
        String path;
        try {
            path = Files.readSymbolicLink(link).toString();
        } catch (IOException | RuntimeException e) {
            return DeviceIdentity.UNKNOWN;
        }
        int mode;
        long rdev;
        try {
            Map<String, Object> stat = Files.readAttributes(link, "unix:mode,rdev");
            mode = (Integer) stat.get("mode");
            rdev = (Long) stat.get("rdev");
        } catch (NoSuchFileException e) {
            return DeviceIdentity.UNKNOWN;
        } catch (IOException | RuntimeException e) {
            // RuntimeException: a JDK without the "unix" attribute view.
            return new DeviceIdentity(path, Kind.OTHER, -1, -1, null, null);
        }
        Kind kind = DeviceNumbers.kind(mode);
        if (kind == Kind.OTHER) {
            return new DeviceIdentity(path, Kind.OTHER, -1, -1, null, null);
        }
        int major = DeviceNumbers.major(rdev);
        int minor = DeviceNumbers.minor(rdev);
        Sysfs.Ids ids = cache.lookup(kind, major, minor);
        return new DeviceIdentity(path, kind, major, minor, ids.wwid(), ids.dmUuid());
    }
}
