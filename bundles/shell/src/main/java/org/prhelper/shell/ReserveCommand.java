package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.prhelper.api.PrOutAction;

@Command(scope = "pr", name = "reserve", description = "Takes the reservation of a device for a registered key (PR OUT RESERVE).")
@Service
public class ReserveCommand extends ReservationOutCommand {
    @Override
    PrOutAction serviceAction() {
        return PrOutAction.RESERVE;
    }
}
