package org.prhelper.sgio;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.SenseCode;
import org.prhelper.api.SenseProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback backend: SG_IO on the client's file descriptor, for every device. Ranked 0 so that
 * specialised backends (multipath) registered with a higher ranking are asked first.
 */
// prhelper.backend=sgio lets the multipath backend find this one to reach a single path.
@Component(service = {PrBackend.class, SenseProbe.class}, configurationPid = SgIoConfig.PID,
        property = {"service.ranking:Integer=0", "prhelper.backend=sgio"})
@Designate(ocd = SgIoConfig.class)
public final class SgIoBackend implements PrBackend, SenseProbe {
    private static final Logger LOG = LoggerFactory.getLogger(SgIoBackend.class);
    private final LinuxSgIo sgIo;

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
        }
    }

    @Override
    public void testUnitReady(int fd, PrResponse response) {
        try {
            sgIo.testUnitReady(fd, response);
        } catch (RuntimeException e) {
            LOG.warn("TEST UNIT READY through SG_IO failed on fd {}", fd, e);
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }
}
