package org.prhelper.itests;

/** What the build tells the integration tests, as system properties that failsafe sets (itests/pom.xml). */
public final class Build {
    private Build() {
    }

    /** The property's value; a test run outside failsafe fails here, naming the property. */
    public static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("system property " + name + " is not set (run through failsafe)");
        }
        return value;
    }
}
