/** Service interfaces and value types shared by the transport, the dispatcher and the backends. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.9.0")
package org.prhelper.api;
