package org.prhelper.dispatch;

import java.io.IOException;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrHandler;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.SenseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request to the highest-ranked backend that handles its device. Applies the rules that
 * hold whatever the backend: a PR OUT on a read-only descriptor never reaches a device.
 */
@Component(service = PrHandler.class, configurationPid = "org.prhelper.dispatch")
@Designate(ocd = DispatcherConfig.class)
public final class Dispatcher implements PrHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** How long a departing backend may take to finish its requests: longer than any SG_IO timeout default. */
    private static final long DRAIN_MILLIS = 40_000;

    private final BackendTable backends = new BackendTable();
    private volatile long backendWaitMillis;

    @Activate
    public Dispatcher(DispatcherConfig config) {
        configure(config);
    }

    @Modified
    void configure(DispatcherConfig config) {
        long wait = config.backendWaitMillis();
        if (wait < 0 || wait > 60_000) {
            LOG.error("backendWaitMillis = {} is out of range 0..60000; using 3000", wait);
            wait = 3000;
        }
        backendWaitMillis = wait;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(PrBackend backend, Map<String, Object> properties) {
        backends.add(backend, ranking(properties), (Long) properties.get("service.id"));
        LOG.info("Backend {} available; backends now {}", backend.name(), backends.names());
    }

    /**
     * Called while the backend's service is unregistered, before its component is deactivated: new
     * requests go to the next backend at once, and this waits for the ones it is executing.
     */
    void removeBackend(PrBackend backend) {
        int left = backends.remove(backend, DRAIN_MILLIS);
        if (left > 0) {
            LOG.warn("Backend {} removed with {} request(s) still executing after {} ms", backend.name(), left,
                    DRAIN_MILLIS);
        }
        LOG.info("Backend {} gone; backends now {}", backend.name(), backends.names());
    }

    private static int ranking(Map<String, Object> properties) {
        Object r = properties.get("service.ranking");
        return r instanceof Integer ? (Integer) r : 0;
    }

    @Override
    public void handle(PrRequest request, PrResponse response) {
        int fd = request.device().fd();
        if (request.isOut()) {
            try {
                if (FdAccessMode.isReadOnly(fd)) {
                    // A client may only change reservations on a device it could write to.
                    response.checkCondition(SenseCode.INVALID_OPCODE);
                    return;
                }
            } catch (IOException e) {
                LOG.warn("Cannot tell the access mode of fd {}: {}", fd, e.toString());
                response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
                return;
            }
        }
        BackendTable.Entry entry;
        do {
            try {
                entry = backends.await(request.device(), backendWaitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                entry = null;
            }
            if (entry == null) {
                LOG.warn("No backend handles fd {}; answering LOGICAL UNIT COMMUNICATION FAILURE", fd);
                response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
                return;
            }
            // Refused only by a backend that is being removed: it is out of the table, look again.
        } while (!entry.gate().enter());
        PrBackend backend = entry.backend();
        response.backend(backend.name());
        try {
            backend.execute(request, response);
        } catch (RuntimeException e) {
            LOG.warn("Backend {} failed on fd {}", backend.name(), fd, e);
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        } finally {
            entry.gate().exit();
        }
    }
}
