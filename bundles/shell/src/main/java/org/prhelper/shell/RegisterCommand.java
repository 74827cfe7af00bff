package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.prhelper.api.PrOutAction;

@Command(scope = "pr", name = "register", description = "Registers, changes or removes this host's reservation key on a device (PR OUT REGISTER).")
@Service
public class RegisterCommand extends PrOutCommand {
    @Option(name = "--key", description = "The key registered now, 0 when none (the default), " + KEY_HELP)
    String key = "0";

    @Option(name = "--sa-key", aliases = "--new-key", required = true,
            description = "The key to register, " + KEY_HELP + "; 0 removes the registration")
    String saKey;

    @Option(name = "--ignore-existing", description = "REGISTER AND IGNORE EXISTING KEY: replace whatever key is registered, without --key")
    boolean ignoreExisting;

    @Option(name = "--aptpl", description = "Keep the registrations and reservation through a power loss of the device")
    boolean aptpl;

    @Option(name = "--all-tg-pt", description = "Register through every target port of the device, not only this one")
    boolean allTargetPorts;

    @Override
    PrOutRequest prOut() {
        return new PrOutRequest(ignoreExisting ? PrOutAction.REGISTER_AND_IGNORE : PrOutAction.REGISTER, null, PrOutRequest.parseKey(key),
                PrOutRequest.parseKey(saKey), aptpl, allTargetPorts);
    }
}
