package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.prhelper.api.PrOutAction;

@Command(scope = "pr", name = "preempt", description = "Removes another key's registration, and takes its reservation if it held it (PR OUT PREEMPT).")
@Service
public class PreemptCommand extends ReservationOutCommand {
    @Option(name = "--sa-key", required = true, description = "The key to preempt, " + PrOutCommand.KEY_HELP)
    String saKey;

    @Option(name = "--abort", description = "PREEMPT AND ABORT: also abort the preempted hosts' commands in progress")
    boolean abort;

    @Override
    PrOutAction serviceAction() {
        return abort ? PrOutAction.PREEMPT_AND_ABORT : PrOutAction.PREEMPT;
    }

    @Override
    long serviceActionKey() {
        return PrOutRequest.parseKey(saKey);
    }
}
