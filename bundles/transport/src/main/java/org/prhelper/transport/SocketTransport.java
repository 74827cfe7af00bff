package org.prhelper.transport;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.SocketInfo;
import org.prhelper.policy.SocketPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket per factory configuration ({@code etc/org.prhelper.socket-NAME.cfg}). Its requests use the
 * shared {@link RequestServices}, which can be replaced while clients stay connected; a changed policy
 * applies from the next request, and only a changed path, mode, owner, group or limit reopens the socket. Registered as a service of this (private) class only for
 * {@link TransportDirectory}, which publishes what the sockets are doing.
 */
@Component(service = SocketTransport.class, immediate = true, configurationPid = SocketTransport.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SocketConfig.class, factory = true)
public final class SocketTransport implements SocketServices {
    static final String FACTORY_PID = "org.prhelper.socket";
    private static final Logger LOG = LoggerFactory.getLogger(SocketTransport.class);
    /** How long stopping waits for requests in progress; QEMU retries for about 5 s after that. */
    static final long STOP_GRACE_MILLIS = 3000;

    private final RequestServices requests;
    private volatile String name;
    private volatile SocketPolicy policy = SocketPolicy.ALLOW_ALL;
    /** Written under this object's lock; volatile so that snapshots need not wait for a reopening. */
    private volatile Listener listener;

    @Activate
    public SocketTransport(@Reference(name = "requests") RequestServices requests, SocketConfig config,
            Map<String, Object> properties) {
        this.requests = requests;
        name = socketName(config, properties);
        configure(config, properties);
    }

    @Modified
    synchronized void configure(SocketConfig config, Map<String, Object> properties) {
        SocketSettings settings;
        SocketPolicy newPolicy;
        try {
            settings = SocketSettings.of(config);
            newPolicy = SocketPolicy.parse(properties);
        } catch (IllegalArgumentException e) {
            // Keep serving with what was valid before: a typo must not take a VM's socket away.
            LOG.error("Invalid configuration of socket {} ({}): {}{}", name, properties.get("service.pid"),
                    e.getMessage(), listener == null ? "; not serving it" : "; keeping the previous configuration");
            return;
        }
        policy = newPolicy;
        name = socketName(config, properties);
        if (listener != null && listener.settings().equals(settings)) {
            LOG.info("Socket {}: policy updated", name);
            return;
        }
        if (listener != null) {
            listener.close(STOP_GRACE_MILLIS);
            listener = null;
        }
        try {
            listener = new Listener(settings, this);
            LOG.info("Serving pr-helper protocol on {} (socket {}{})", listener.path(), name,
                    settings.inheritedFd() >= 0 ? ", inherited descriptor " + settings.inheritedFd() : "");
        } catch (IOException e) {
            LOG.error("Cannot listen on {} (socket {}): {}", settings.path(), name, e.toString());
        }
    }

    /**
     * The configured name, else the configuration's own: NAME of org.prhelper.socket~NAME (named factory
     * configurations), of etc/org.prhelper.socket-NAME.cfg (fileinstall) or of a feature's
     * {@code <config name="org.prhelper.socket-NAME">}; else the socket file's name.
     */
    static String socketName(SocketConfig config, Map<String, Object> properties) {
        if (config.name() != null && !config.name().isBlank()) {
            return config.name().trim();
        }
        Object pid = properties.get("service.pid");
        if (pid instanceof String s && s.indexOf('~') >= 0) {
            return s.substring(s.lastIndexOf('~') + 1);
        }
        for (String key : new String[] {"felix.fileinstall.filename", "org.apache.karaf.features.configKey"}) {
            Object v = properties.get(key);
            if (v instanceof String s) {
                String file = s.substring(s.lastIndexOf('/') + 1);
                if (file.endsWith(".cfg")) {
                    file = file.substring(0, file.length() - ".cfg".length());
                }
                if (file.startsWith(FACTORY_PID + "-")) {
                    return file.substring(FACTORY_PID.length() + 1);
                }
            }
        }
        String path = config.path() == null ? "" : config.path();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Deactivate
    synchronized void stop() {
        if (listener != null) {
            listener.close(STOP_GRACE_MILLIS);
            LOG.info("Stopped serving {} (socket {})", listener.path(), name);
            listener = null;
        }
    }

    /** This socket as it is now: not listening, without path, while its configuration keeps it closed. */
    SocketInfo snapshot() {
        Listener l = listener;
        return l == null ? new SocketInfo(name, null, false, 0, List.of()) : l.snapshot(name);
    }

    @Override
    public String socketName() {
        return name;
    }

    @Override
    public SocketPolicy policy() {
        return policy;
    }

    @Override
    public RequestServices requests() {
        return requests;
    }
}
