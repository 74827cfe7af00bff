package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.util.Map;

import org.junit.Test;

/** The device-command bounds as configured: a value out of range keeps the one in force. */
public class ServingLoopsTest {
    @Test
    public void outOfRangeLimitsKeepTheValuesInForce() throws IOException {
        ServingLoops loops = new ServingLoops(Configs.serving(Map.of("maxDeviceCommands", 0,
                "maxDeviceCommandsPerDevice", 8)));
        try {
            assertEquals("the default for a value out of range", 128, loops.maxDeviceCommands());
            assertEquals(8, loops.maxDeviceCommandsPerDevice());
            loops.configure(Configs.serving(Map.of("maxDeviceCommands", 64, "maxDeviceCommandsPerDevice", 5000)));
            assertEquals(64, loops.maxDeviceCommands());
            assertEquals("kept", 8, loops.maxDeviceCommandsPerDevice());
            loops.configure(Configs.serving(Map.of("maxDeviceCommands", -1, "maxDeviceCommandsPerDevice", 4)));
            assertEquals("kept", 64, loops.maxDeviceCommands());
            assertEquals(4, loops.maxDeviceCommandsPerDevice());
        } finally {
            loops.stop();
        }
    }
}
