package org.prhelper.transport;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One socket QEMU connects to ({@code -object pr-manager-helper,path=...}): a factory configuration,
 * {@code etc/org.prhelper.socket-NAME.cfg}, per socket. Policy keys (allow.*, readOnly, rateLimit) are
 * read by {@code org.prhelper.policy.SocketPolicy}; they are listed here for the metatype only.
 */
@ObjectClassDefinition(name = "prhelper socket", description = "A Unix socket serving the pr-helper protocol, with its policy")
public @interface SocketConfig {
    @AttributeDefinition(description = "Name of the socket in logs, the audit trail and the shell; "
            + "default: the configuration's name (NAME in org.prhelper.socket-NAME.cfg).", required = false)
    String name() default "";

    @AttributeDefinition(description = "Absolute path of the socket. A stale file there is replaced.")
    String path();

    @AttributeDefinition(description = "A listening Unix socket this process inherited, by descriptor "
            + "number (systemd socket activation passes 3); -1 binds path instead. An inherited socket keeps "
            + "its own path and permissions, and its file is left in place on stop.", required = false)
    int inheritedFd() default -1;

    @AttributeDefinition(description = "Octal permission bits of the socket file; default 0600, like "
            + "upstream's systemd socket unit; empty keeps what the process umask gives.", required = false)
    String mode() default "0600";

    @AttributeDefinition(description = "Owner (user name or number) of the socket file; empty keeps ours.", required = false)
    String owner() default "";

    @AttributeDefinition(description = "Group (name or number) of the socket file; empty keeps ours.", required = false)
    String group() default "";

    @AttributeDefinition(description = "Listen backlog: connections the kernel queues before we accept them.")
    int backlog() default 128;

    @AttributeDefinition(description = "Most client connections served at once; more are closed at accept.")
    int maxConnections() default 4096;

    @AttributeDefinition(description = "Globs of device paths (the descriptor's /proc/self/fd target) this socket may use", required = false)
    String[] allow_devices_path();

    @AttributeDefinition(description = "WWIDs (naa.X, 3X, mpath-3X) of the logical units this socket may use", required = false)
    String[] allow_devices_wwid();

    @AttributeDefinition(description = "Device numbers MAJ:MIN or MAJ:* this socket may use", required = false)
    String[] allow_devices_numbers();

    @AttributeDefinition(description = "PR OUT service actions allowed (names or numbers); default all", required = false)
    String[] allow_prout_actions();

    @AttributeDefinition(description = "Reservation types allowed (1,3,5,6,7,8 or names); default all", required = false)
    String[] allow_prout_types();

    @AttributeDefinition(description = "PERSISTENT RESERVE IN only", required = false)
    boolean readOnly() default false;

    @AttributeDefinition(description = "Peer user ids allowed (SO_PEERCRED)", required = false)
    String[] allow_peers_uid();

    @AttributeDefinition(description = "Peer group ids allowed (SO_PEERCRED)", required = false)
    String[] allow_peers_gid();

    @AttributeDefinition(description = "Peer process ids allowed (SO_PEERCRED)", required = false)
    String[] allow_peers_pid();

    @AttributeDefinition(description = "Requests per second on this socket (decimals allowed); 0 = unlimited", required = false)
    String rateLimit() default "0";

    @AttributeDefinition(description = "Requests allowed in a burst; default rateLimit", required = false)
    String rateBurst() default "0";
}
