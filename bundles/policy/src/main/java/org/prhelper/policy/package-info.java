/** Per-socket policy: what a socket's clients may do, parsed from the socket's configuration. Plain Java. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package org.prhelper.policy;
