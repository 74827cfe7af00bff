package org.prhelper.audit;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "prhelper audit", description = "Where the record of every request goes")
public @interface AuditConfig {
    @AttributeDefinition(min = "0", max = "1000000", description = "How many of the most recent records are kept "
            + "in memory for the shell and health checks. 0 keeps none.")
    int memoryRecords() default 10000;

    @AttributeDefinition(description = "Write one line per request to the audit file.")
    boolean log() default true;

    @AttributeDefinition(description = "The audit file. Empty: prhelper-audit.log in Karaf's log folder "
            + "(system property karaf.log).")
    String file() default "";

    @AttributeDefinition(min = "1", max = "4096", description = "Size in MiB from which the audit file is rotated.")
    int maxFileSizeMb() default 16;

    @AttributeDefinition(min = "0", max = "1000", description = "Rotated audit files kept (FILE.1 the newest).")
    int maxFiles() default 9;

    @AttributeDefinition(description = "Post an OSGi event per request on org/prhelper/audit/ALLOWED or "
            + "org/prhelper/audit/DENIED when an EventAdmin is present.")
    boolean events() default true;
}
