package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.prhelper.api.PrOutAction;

@Command(scope = "pr", name = "clear", description = "Removes every registration and the reservation of a device (PR OUT CLEAR).")
@Service
public class ClearCommand extends PrOutCommand {
    @Option(name = "--key", required = true, description = "The key this host registered, " + KEY_HELP)
    String key;

    @Override
    PrOutRequest prOut() {
        return new PrOutRequest(PrOutAction.CLEAR, null, PrOutRequest.parseKey(key), 0, false, false);
    }
}
