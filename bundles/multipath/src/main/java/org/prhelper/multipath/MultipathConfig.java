package org.prhelper.multipath;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the multipath backend (PID {@value #PID}). */
@ObjectClassDefinition(id = MultipathConfig.PID, name = "prhelper multipath backend",
        description = "Sends persistent-reservation commands on dm-multipath maps through libmpathpersist, "
                + "so that registrations reach every path.")
@interface MultipathConfig {
    String PID = "org.prhelper.multipath";

    @AttributeDefinition(name = "multipath.conf",
            description = "Read to warn about maps without reservation_key (multipathd then cannot register "
                    + "the key again on a path that comes back).")
    String configFile() default "/etc/multipath.conf";

    @AttributeDefinition(name = "multipath.conf.d", description = "Folder of further *.conf files multipathd reads.")
    String configDir() default "/etc/multipath/conf.d";
}
