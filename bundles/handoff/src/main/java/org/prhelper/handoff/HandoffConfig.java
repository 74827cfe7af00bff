package org.prhelper.handoff;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The control socket on which bin/prhelper-vm hands its per-VM socket over ({@code etc/org.prhelper.handoff.cfg}). */
@ObjectClassDefinition(name = "prhelper handoff control socket",
        description = "Where per-VM prhelper-vm processes hand their listening sockets to this agent")
public @interface HandoffConfig {
    @AttributeDefinition(description = "Open the control socket; false: prhelper-vm cannot reach this agent.")
    boolean enabled() default true;

    @AttributeDefinition(description = "Absolute path of the control socket; a live one of another agent is "
            + "left alone, a stale file is replaced.")
    String path() default "/run/prhelper/control.sock";

    @AttributeDefinition(description = "Octal permission bits of the control socket file. Only root and this "
            + "agent's user may hand sockets over in any case (SO_PEERCRED).")
    String mode() default "0600";

    @AttributeDefinition(description = "Owner (user name or number) of the control socket file; empty keeps ours.",
            required = false)
    String owner() default "";

    @AttributeDefinition(description = "Group (name or number) of the control socket file; empty keeps ours.",
            required = false)
    String group() default "";
}
