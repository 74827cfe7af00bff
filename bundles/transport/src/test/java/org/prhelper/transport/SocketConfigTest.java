package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.Test;
import org.prhelper.policy.SocketPolicy;

/**
 * The socket's policy keys are read by SocketPolicy (the policy bundle must not depend on the
 * transport) and listed in SocketConfig for the metatype: the two lists are the same.
 */
public class SocketConfigTest {
    private static final Set<String> SOCKET_ONLY = Set.of("name", "path", "inheritedFd", "mode", "owner", "group",
            "backlog", "maxConnections");

    @Test
    public void theMetatypeListsEveryPolicyKeyAndNoOther() throws IllegalAccessException {
        Set<String> policy = new TreeSet<>();
        for (Field f : SocketPolicy.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                policy.add((String) f.get(null));
            }
        }
        // bnd turns an attribute method's "_" into "." (allow_devices_path: allow.devices.path).
        Set<String> metatype = Arrays.stream(SocketConfig.class.getDeclaredMethods()).map(Method::getName)
                .map(n -> n.replace('_', '.')).filter(n -> !SOCKET_ONLY.contains(n))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(policy, metatype);
    }
}
