package org.prhelper.multipath;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * libmpathpersist, bound through JNA at run time so that a host without multipath-tools only loses
 * this backend. Calls go through {@link Function} objects (no static native state, nothing left bound
 * when the bundle goes); the library discovers paths on every call, which dwarfs the call overhead.
 * Not thread-safe, not even for different maps: each call loads and runs path checkers through a
 * registry the library does not lock, and uses one udev context. Callers serialize every call
 * (docs/multipath.md, "Concurrent calls into libmpathpersist").
 */
final class LibMpathPersist {
    /** The names JNA tries: the development link, then the runtime soname. */
    private static final String[] NAMES = {"mpathpersist", "libmpathpersist.so.0"};

    private final Function reserveIn;
    private final Function reserveOut;

    private LibMpathPersist(NativeLibrary library) {
        reserveIn = library.getFunction("mpath_persistent_reserve_in");
        reserveOut = library.getFunction("mpath_persistent_reserve_out");
    }

    /**
     * Loads and initializes the library, with {@code allocationLength} as its PR IN allocation length.
     * The library cannot be initialized again after {@code libmpathpersist_exit}, and this bundle may
     * be started again in the same process, so it is never exited: the process's end frees it.
     *
     * @throws UnsatisfiedLinkError if it is not installed or lacks a symbol
     * @throws IllegalStateException if its initialization fails
     */
    static LibMpathPersist load(int allocationLength) {
        NativeLibrary library = null;
        UnsatisfiedLinkError missing = null;
        for (String name : NAMES) {
            try {
                library = NativeLibrary.getInstance(name);
                break;
            } catch (UnsatisfiedLinkError e) {
                missing = e;
            }
        }
        if (library == null) {
            throw missing;
        }
        LibMpathPersist lib = new LibMpathPersist(library);
        int rc = library.getFunction("libmpathpersist_init").invokeInt(new Object[0]);
        if (rc != 0) {
            throw new IllegalStateException("libmpathpersist_init() returned " + rc);
        }
        library.getGlobalVariableAddress("mpath_mx_alloc_len").setInt(0, allocationLength);
        return lib;
    }

    int reserveIn(int fd, int serviceAction, Pointer response) {
        return reserveIn.invokeInt(new Object[] {fd, serviceAction, response, 0, 0});
    }

    int reserveOut(int fd, int serviceAction, int scope, int type, Pointer parameters) {
        return reserveOut.invokeInt(new Object[] {fd, serviceAction, scope, type, parameters, 0, 0});
    }
}
