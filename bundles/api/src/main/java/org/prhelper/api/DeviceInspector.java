package org.prhelper.api;

/** Tells what a request's descriptor refers to. Cheap enough to call for every request. */
public interface DeviceInspector {
    DeviceIdentity identify(PrDevice device);
}
