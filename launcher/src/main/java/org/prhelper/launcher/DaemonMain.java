package org.prhelper.launcher;

import sun.misc.Signal;

/**
 * Starts Karaf as a qemu-pr-helper does its work: SIGINT and SIGHUP end it as gracefully as SIGTERM.
 * Karaf stops its framework (and so closes our sockets and removes their files) only on SIGTERM; the
 * JVM's own handling of SIGINT and SIGHUP would exit without stopping it.
 */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) throws Exception {
        for (String name : new String[] {"INT", "HUP"}) {
            Signal.handle(new Signal(name), signal -> Signal.raise(new Signal("TERM")));
        }
        org.apache.karaf.main.Main.main(args);
    }
}
