package org.prhelper.audit;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "prhelper audit", description = "Where the record of every request goes")
public @interface AuditConfig {
    @AttributeDefinition(min = "0", max = "1000000", description = "How many of the most recent records are kept "
            + "in memory for the shell and health checks. 0 keeps none.")
    int memoryRecords() default 10000;

    @AttributeDefinition(description = "Write one line per request, at INFO, to the logger prhelper.audit.")
    boolean log() default true;

    @AttributeDefinition(description = "Post an OSGi event per request on org/prhelper/audit/ALLOWED or "
            + "org/prhelper/audit/DENIED when an EventAdmin is present.")
    boolean events() default true;
}
