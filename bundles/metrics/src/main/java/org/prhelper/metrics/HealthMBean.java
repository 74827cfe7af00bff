package org.prhelper.metrics;

/**
 * The agent's health for monitoring: {@code Healthy}, and why not in {@code Reasons}. {@code Warnings}
 * lists setup problems the components report (e.g. a multipath map without reservation_key): worth
 * fixing, but the agent serves, so they do not make it unhealthy.
 */
public interface HealthMBean {
    boolean isHealthy();

    String[] getReasons();

    String[] getWarnings();
}
