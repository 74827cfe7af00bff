package org.prhelper.dispatch;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "prhelper dispatcher", description = "How requests are routed to backends")
public @interface DispatcherConfig {
    @AttributeDefinition(description = "How long a request waits for a backend to appear when none handles "
            + "its device (e.g. while a backend bundle restarts) before it is answered with CHECK CONDITION, "
            + "ABORTED COMMAND / LOGICAL UNIT COMMUNICATION FAILURE. 0 answers at once.")
    long backendWaitMillis() default 3000;
}
