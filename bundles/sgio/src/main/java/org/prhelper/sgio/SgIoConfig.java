package org.prhelper.sgio;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the SG_IO backend (PID {@value #PID}). */
@ObjectClassDefinition(id = SgIoConfig.PID, name = "prhelper SG_IO backend",
        description = "Sends persistent-reservation commands with the SG_IO ioctl on the client's file descriptor.")
@interface SgIoConfig {
    String PID = "org.prhelper.sgio";
    int DEFAULT_TIMEOUT_MILLIS = 30_000;
    int MIN_TIMEOUT_MILLIS = 1;
    int MAX_TIMEOUT_MILLIS = 3_600_000;

    @AttributeDefinition(name = "Command timeout (ms)",
            description = "How long the kernel lets the device take for one command before aborting it.",
            min = "1", max = "3600000")
    int timeoutMillis() default DEFAULT_TIMEOUT_MILLIS;
}
