package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.prhelper.api.PrOutAction;

@Command(scope = "pr", name = "release", description = "Releases the reservation this key holds on a device (PR OUT RELEASE).")
@Service
public class ReleaseCommand extends ReservationOutCommand {
    @Override
    PrOutAction serviceAction() {
        return PrOutAction.RELEASE;
    }
}
