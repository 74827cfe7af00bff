package org.prhelper.shell;

import java.io.IOException;

import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;

/**
 * A PERSISTENT RESERVE OUT command: it changes what every host sharing the device may do, so it is
 * sent only once the user confirmed it, or with --force.
 */
abstract class PrOutCommand extends DeviceCommand {
    static final String KEY_HELP = "hex (0x...) or decimal";

    @Option(name = "--force", description = "Send without asking for confirmation (needed where there is no terminal)")
    boolean force;

    @Reference
    Session session;

    /** The request the options describe; IllegalArgumentException for an invalid option value. */
    abstract PrOutRequest prOut();

    @Override
    public Object execute() throws Exception {
        PrOutRequest prOut;
        try {
            prOut = prOut();
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage(), e);
        }
        String what = prOut.describe() + " on " + device;
        if (!force && !confirmed(what)) {
            System.out.println("Nothing sent to " + device + ".");
            return null;
        }
        run(prOut.toRequest());
        System.out.println(what + ": GOOD");
        return null;
    }

    private boolean confirmed(String what) throws CommandException {
        String answer;
        try {
            answer = session.readLine(what + "? [y/N] ", null);
        } catch (UnsupportedOperationException e) {
            // A session without a terminal (ssh with a command, bin/client): nobody can answer.
            throw new CommandException("Cannot ask for confirmation without a terminal: nothing sent to " + device
                    + "; add --force to send it");
        } catch (IOException | RuntimeException e) {
            // End of input or Ctrl-C (jline's EndOfFileException, UserInterruptException): not a yes.
            return false;
        }
        return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
    }
}
