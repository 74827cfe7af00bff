package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.prhelper.api.PrOutAction;

/** The PR OUT commands that act on the reservation: the key this host registered and a reservation type. */
abstract class ReservationOutCommand extends PrOutCommand {
    @Option(name = "--key", required = true, description = "The key this host registered, " + KEY_HELP)
    String key;

    @Option(name = "--type", required = true, description = "The reservation type: " + PrOutRequest.TYPE_CODES)
    @Completion(ReservationTypeCompleter.class)
    String type;

    abstract PrOutAction serviceAction();

    /** The service action reservation key; only PREEMPT has one. */
    long serviceActionKey() {
        return 0;
    }

    @Override
    PrOutRequest prOut() {
        return new PrOutRequest(serviceAction(), PrOutRequest.parseType(type), PrOutRequest.parseKey(key), serviceActionKey(), false,
                false);
    }
}
