package org.prhelper.transport;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.PrHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the pr-helper protocol on the configured Unix socket. The request handler is a dynamic
 * reference, so the dispatcher and the backends behind it can be replaced while clients stay connected.
 */
@Component(service = {}, immediate = true, configurationPid = "org.prhelper.transport",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = TransportConfig.class)
public final class SocketTransport {
    private static final Logger LOG = LoggerFactory.getLogger(SocketTransport.class);
    /** How long stopping waits for requests in progress; QEMU retries for about 5 s after that. */
    private static final long STOP_GRACE_MILLIS = 3000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PrHandler handler;

    private final Listener listener;

    @Activate
    public SocketTransport(TransportConfig config) {
        Listener l = null;
        try {
            SocketSettings settings = SocketSettings.of(config);
            l = new Listener(settings, () -> handler);
            LOG.info("Serving pr-helper protocol on {}", settings.path());
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid org.prhelper.transport configuration: {}", e.getMessage());
        } catch (IOException e) {
            LOG.error("Cannot listen on {}: {}", config.path(), e.toString());
        }
        listener = l;
    }

    @Deactivate
    void stop() {
        if (listener != null) {
            listener.close(STOP_GRACE_MILLIS);
            LOG.info("Stopped serving {}", listener.path());
        }
    }
}
