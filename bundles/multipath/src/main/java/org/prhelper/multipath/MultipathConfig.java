package org.prhelper.multipath;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the multipath backend (PID {@value #PID}). */
@ObjectClassDefinition(id = MultipathConfig.PID, name = "prhelper multipath backend",
        description = "Sends persistent-reservation commands on dm-multipath maps through libmpathpersist, "
                + "so that registrations reach every path.")
@interface MultipathConfig {
    String PID = "org.prhelper.multipath";
    int DEFAULT_KEEP_PATHS_SECONDS = 10;
    int MAX_KEEP_PATHS_SECONDS = 3600;

    @AttributeDefinition(name = "multipath.conf",
            description = "Read to warn about maps without reservation_key (multipathd then cannot register "
                    + "the key again on a path that comes back).")
    String configFile() default "/etc/multipath.conf";

    @AttributeDefinition(name = "multipath.conf.d", description = "Folder of further *.conf files multipathd reads.")
    String configDir() default "/etc/multipath/conf.d";

    @AttributeDefinition(name = "Keep the library's maps and paths (seconds)",
            description = "How long PR OUT reuses libmpathpersist's list of maps and paths instead of "
                    + "discovering them on every command; a change of a map's paths in sysfs (one added, "
                    + "removed, offline or blocked) and a failed command discard it at once. 0..3600; 0: "
                    + "discover on every command, as mpathpersist does.", min = "0", max = "3600")
    int keepPathsSeconds() default DEFAULT_KEEP_PATHS_SECONDS;
}
