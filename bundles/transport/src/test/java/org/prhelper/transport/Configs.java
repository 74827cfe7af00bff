package org.prhelper.transport;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Configuration instances as DS would build them: given values, else the annotation's defaults. */
final class Configs {
    private Configs() {
    }

    static SocketConfig socket(Map<String, Object> values) {
        return of(SocketConfig.class, values);
    }

    static ServingConfig serving(Map<String, Object> values) {
        return of(ServingConfig.class, values);
    }

    private static <T> T of(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("annotationType")) {
                return type;
            }
            Object v = values.get(method.getName());
            return v != null ? v : method.getDefaultValue();
        }));
    }

    static SocketConfig socket(String path, String mode, int backlog, int maxConnections) {
        return socket(Map.of("path", path == null ? "" : path, "mode", mode == null ? "" : mode,
                "backlog", backlog, "maxConnections", maxConnections));
    }
}
