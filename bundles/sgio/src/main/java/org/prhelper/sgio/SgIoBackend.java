package org.prhelper.sgio;

import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.SenseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback backend: SG_IO on the client's file descriptor, for every device. Ranked 0 so that
 * specialised backends (multipath) registered with a higher ranking are asked first.
 */
@Component(service = PrBackend.class, configurationPid = SgIoConfig.PID, property = "service.ranking:Integer=0")
@Designate(ocd = SgIoConfig.class)
public final class SgIoBackend implements PrBackend {
    private static final Logger LOG = LoggerFactory.getLogger(SgIoBackend.class);
    /** How long deactivation waits for requests in progress before it gives up with a warning. */
    private static final long DRAIN_SECONDS = 10;

    private final LinuxSgIo sgIo;
    private final RequestGate gate = new RequestGate();

    @Activate
    public SgIoBackend(SgIoConfig config) {
        sgIo = new LinuxSgIo(timeoutMillis(config));
    }

    /** The configured timeout, or the default (with an error logged) if it is out of range. */
    static int timeoutMillis(SgIoConfig config) {
        int value = config.timeoutMillis();
        if (value < SgIoConfig.MIN_TIMEOUT_MILLIS || value > SgIoConfig.MAX_TIMEOUT_MILLIS) {
            LOG.error("Configuration {}: timeoutMillis={} is outside {}..{}; using {}", SgIoConfig.PID, value,
                    SgIoConfig.MIN_TIMEOUT_MILLIS, SgIoConfig.MAX_TIMEOUT_MILLIS, SgIoConfig.DEFAULT_TIMEOUT_MILLIS);
            return SgIoConfig.DEFAULT_TIMEOUT_MILLIS;
        }
        return value;
    }

    @Deactivate
    void deactivate() {
        if (!gate.close(DRAIN_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("SG_IO backend stopped with {} request(s) still in progress after {} s",
                    gate.inFlight(), DRAIN_SECONDS);
        }
    }

    @Override
    public String name() {
        return "sgio";
    }

    @Override
    public boolean handles(PrDevice device) {
        return true;
    }

    @Override
    public void execute(PrRequest request, PrResponse response) {
        if (!gate.enter()) {
            // A dispatcher that picked this backend just before it was deactivated.
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
            return;
        }
        try {
            int opcode = request.opcode();
            if (opcode != PrRequest.OPCODE_PR_IN && opcode != PrRequest.OPCODE_PR_OUT) {
                // The transport never passes other opcodes; this process may hold CAP_SYS_RAWIO, so
                // it must not become a way to send arbitrary commands (WRITE, FORMAT...) to a disk.
                response.checkCondition(SenseCode.INVALID_OPCODE);
                return;
            }
            sgIo.execute(request.device().fd(), request, response);
        } catch (Throwable t) {
            LOG.warn("SG_IO backend failed on a {} request", request.isOut() ? "PR OUT" : "PR IN", t);
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        } finally {
            gate.exit();
        }
    }
}
