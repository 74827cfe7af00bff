package org.prhelper.transport;

import java.lang.reflect.Proxy;
import java.util.Map;

/** SocketConfig instances as DS would build them: given values, else the annotation's defaults. */
final class Configs {
    private Configs() {
    }

    static SocketConfig socket(Map<String, Object> values) {
        return (SocketConfig) Proxy.newProxyInstance(SocketConfig.class.getClassLoader(),
                new Class<?>[] {SocketConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return SocketConfig.class;
                    }
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    static SocketConfig socket(String path, String mode, int backlog, int maxConnections) {
        return socket(Map.of("path", path == null ? "" : path, "mode", mode == null ? "" : mode,
                "backlog", backlog, "maxConnections", maxConnections));
    }
}
