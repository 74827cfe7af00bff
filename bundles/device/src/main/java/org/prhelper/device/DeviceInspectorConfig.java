package org.prhelper.device;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "prhelper device inspector",
        description = "How request descriptors are identified (path, device numbers, WWID, device-mapper uuid)")
public @interface DeviceInspectorConfig {
    @AttributeDefinition(description = "How long the WWID and device-mapper uuid read from sysfs for a device "
            + "number are reused, in seconds (0..86400). 0 reads sysfs for every request.")
    int cacheSeconds() default LinuxDeviceInspector.DEFAULT_CACHE_SECONDS;
}
