package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.util.Set;

import org.junit.Test;

public class SocketNamesTest {
    @Test
    public void keepsAFreeNameAndNumbersATakenOne() {
        assertEquals("vm-web1", SocketNames.unique("vm-web1", Set.of("default")));
        assertEquals("vm-web1-2", SocketNames.unique("vm-web1", Set.of("vm-web1")));
        assertEquals("vm-web1-4", SocketNames.unique("vm-web1", Set.of("vm-web1", "vm-web1-2", "vm-web1-3")));
    }
}
