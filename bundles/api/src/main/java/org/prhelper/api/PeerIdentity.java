package org.prhelper.api;

/**
 * Who is at the other end of a connection: the credentials the kernel reports for the socket peer
 * (SO_PEERCRED, taken when the client connected) and, when the peer is QEMU, the VM's name from its
 * command line ({@code -name guest=NAME,...} or {@code -name NAME}); null when there is none.
 */
public record PeerIdentity(long pid, long uid, long gid, String vmName) {
    /** For connections whose credentials could not be read. */
    public static final PeerIdentity UNKNOWN = new PeerIdentity(-1, -1, -1, null);
}
