package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "pr", name = "preempt", description = "Removes another key's registration, and takes its reservation if it held it (PR OUT PREEMPT).")
@Service
public class PreemptCommand extends ReservationOutCommand {
    @Option(name = "--sa-key", required = true, description = "The key to preempt, " + PrOutCommand.KEY_HELP)
    String saKey;

    @Option(name = "--abort", description = "PREEMPT AND ABORT: also abort the preempted hosts' commands in progress")
    boolean abort;

    @Override
    int serviceAction() {
        return abort ? PrOut.PREEMPT_AND_ABORT : PrOut.PREEMPT;
    }

    @Override
    long serviceActionKey() {
        return PrOut.parseKey(saKey);
    }
}
