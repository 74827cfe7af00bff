package org.prhelper.multipath;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * libmpathpersist, bound through JNA at run time so that a host without multipath-tools only loses
 * this backend. Calls go through {@link Function} objects (no static native state, nothing left bound
 * when the bundle goes). {@link #reserveOut} discovers every map and the map's paths on each call (67 ms
 * and 30 ms of CPU per REGISTER AND IGNORE in the lab, most of it compiling regular expressions and
 * running path checkers); on kept vectors the same call took 13 ms and 5 ms.
 * Not thread-safe, not even for different maps: each call loads and runs path checkers through a
 * registry the library does not lock, and uses one udev context. Callers serialize every call
 * (docs/multipath.md, "Concurrent calls into libmpathpersist").
 */
final class LibMpathPersist {
    /** The names JNA tries: the development link, then the runtime soname. */
    private static final String[] NAMES = {"mpathpersist", "libmpathpersist.so.0"};

    private final Function reserveIn;
    private final Function reserveOut;
    /** The calls on kept vectors (the header's "not thread-safe" ones), null where the library lacks them. */
    private final Function initVectors;
    private final Function freeVectors;
    private final Function reserveOutOnKept;

    private LibMpathPersist(NativeLibrary library) {
        reserveIn = library.getFunction("mpath_persistent_reserve_in");
        reserveOut = library.getFunction("mpath_persistent_reserve_out");
        Function init = null;
        Function free = null;
        Function out = null;
        try {
            init = library.getFunction("mpath_persistent_reserve_init_vecs");
            free = library.getFunction("mpath_persistent_reserve_free_vecs");
            out = library.getFunction("__mpath_persistent_reserve_out");
        } catch (UnsatisfiedLinkError e) {
            init = null; // an older library: every call discovers the maps and paths again
        }
        initVectors = init;
        freeVectors = init == null ? null : free;
        reserveOutOnKept = init == null ? null : out;
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

    /** Whether the library can keep its map and path vectors between calls. */
    boolean keepsVectors() {
        return initVectors != null;
    }

    /**
     * Discards the kept vectors and lists the maps again (their paths are read at each map's first
     * call after this); returns the library's code, 0 on success.
     */
    int renewVectors() {
        freeVectors.invokeVoid(new Object[0]);
        return initVectors.invokeInt(new Object[] {0});
    }

    /** As {@link #reserveOut}, on the kept vectors: no discovery of the maps, nor of paths seen before. */
    int reserveOutOnKeptVectors(int fd, int serviceAction, int scope, int type, Pointer parameters) {
        return reserveOutOnKept.invokeInt(new Object[] {fd, serviceAction, scope, type, parameters, 0});
    }
}
