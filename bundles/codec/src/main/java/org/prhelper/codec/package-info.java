/** The pr-helper wire protocol, independent of any socket library. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.prhelper.codec;
