package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

public class OtherVersionsTest {
    private static final String NAME = "org.prhelper.transport";

    @Test
    public void aSecondRunningVersionIsNamedAndNothingElseIs() {
        Bundle self = bundle(7, NAME, "0.1.0.2026", Bundle.ACTIVE);
        Bundle newer = bundle(9, NAME, "0.2.0.2026", Bundle.ACTIVE);
        Bundle stopped = bundle(11, NAME, "0.3.0", Bundle.RESOLVED);
        Bundle other = bundle(8, "org.prhelper.policy", "0.2.0", Bundle.ACTIVE);
        assertEquals(List.of(), new OtherVersions(context(self, self, other, stopped)).warnings());
        assertEquals(List.of("prhelper 0.1.0.2026 runs beside 0.2.0.2026 in this container (two KARs in deploy/?): "
                + "each serves the same sockets; remove all but one"),
                new OtherVersions(context(self, self, other, newer, stopped)).warnings());
    }

    private static BundleContext context(Bundle self, Bundle... all) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getBundle" -> self;
                    case "getBundles" -> all;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Bundle bundle(long id, String name, String version, int state) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> name;
                    case "getVersion" -> Version.parseVersion(version);
                    case "getState" -> state;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
