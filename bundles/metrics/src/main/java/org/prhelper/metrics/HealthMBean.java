package org.prhelper.metrics;

/** The agent's health for monitoring: {@code Healthy}, and why not in {@code Reasons}. */
public interface HealthMBean {
    boolean isHealthy();

    String[] getReasons();
}
