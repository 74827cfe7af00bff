package org.prhelper.transport;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "prhelper socket transport",
        description = "The Unix socket QEMU connects to (-object pr-manager-helper,path=...)")
public @interface TransportConfig {
    @AttributeDefinition(description = "Absolute path of the socket. A stale file there is replaced.")
    String path();

    @AttributeDefinition(description = "Octal permission bits of the socket file, e.g. 0600; empty keeps "
            + "what the process umask gives.")
    String mode() default "";

    @AttributeDefinition(description = "Owner (user name or number) of the socket file; empty keeps ours.")
    String owner() default "";

    @AttributeDefinition(description = "Group (name or number) of the socket file; empty keeps ours.")
    String group() default "";

    @AttributeDefinition(description = "Listen backlog: connections the kernel queues before we accept them.")
    int backlog() default 128;

    @AttributeDefinition(description = "Most client connections served at once; more are closed at accept.")
    int maxConnections() default 4096;
}
