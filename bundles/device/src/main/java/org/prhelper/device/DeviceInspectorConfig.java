package org.prhelper.device;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "prhelper device inspector",
        description = "How request descriptors are identified (path, device numbers, WWID, device-mapper uuid)")
public @interface DeviceInspectorConfig {
    @AttributeDefinition(description = "How long a device node's path, WWID and device-mapper uuid are reused, "
            + "in seconds (0..86400). 0 reads them for every request.")
    int cacheSeconds() default LinuxDeviceInspector.DEFAULT_CACHE_SECONDS;
}
