package org.prhelper.transport;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How many device commands run at once (PID {@value #PID}); read live, no connection is touched. */
@ObjectClassDefinition(id = ServingConfig.PID, name = "prhelper serving",
        description = "Bounds on the persistent-reservation commands waiting at devices at once.")
@interface ServingConfig {
    String PID = "org.prhelper.serving";
    int DEFAULT_MAX_DEVICE_COMMANDS = 128;
    int DEFAULT_MAX_DEVICE_COMMANDS_PER_DEVICE = 16;
    int MAX = 4096;

    @AttributeDefinition(name = "Device commands at once",
            description = "Most commands at devices at once, over all devices: one thread each while the "
                    + "device answers. More wait for a free thread.", min = "1", max = "4096")
    int maxDeviceCommands() default DEFAULT_MAX_DEVICE_COMMANDS;

    @AttributeDefinition(name = "Device commands at once on one device",
            description = "Most commands at one device (LUN or multipath map) at once; more wait in that "
                    + "device's line, so a device that hangs keeps at most this many threads.",
            min = "1", max = "4096")
    int maxDeviceCommandsPerDevice() default DEFAULT_MAX_DEVICE_COMMANDS_PER_DEVICE;
}
